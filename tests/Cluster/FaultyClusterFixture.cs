using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using PruneCluster.Grains.Evaluation;
using PruneCluster.Grains.Simulation;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// One silo with two evaluation slots whose evaluator always fails on layer 1 of campaign "broken" (a deterministic
/// error), and storage the test can make fail: the slots' handling of failures, end to end.
/// </summary>
public sealed class FaultyClusterFixture : IAsyncLifetime
{
    public const string BrokenCampaign = "broken";
    public const int BrokenLayer = 1;

    public InProcessTestCluster Cluster { get; }

    public StorageFaults Faults { get; } = new();

    public FaultyClusterFixture()
    {
        var data = new ConcurrentDictionary<(string, GrainId), (object State, int Writes)>();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSharedMemoryStorage(data, Faults);
            silo.AddEvaluationWorkers(o => (o.SlotsPerDevice, o.IdlePoll, o.RetryDelay) = (2, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50)));
            silo.Services.AddSingleton<IVariantEvaluator>(new BrokenLayerEvaluator(new SimulatedEvaluator(TimeSpan.FromMilliseconds(0.1))));
        });
        Cluster = builder.Build();
    }

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class BrokenLayerEvaluator(IVariantEvaluator inner) : IVariantEvaluator
    {
        public Grains.Contracts.VariantResult Evaluate(Grains.Contracts.VariantTask task, DeviceSlot slot, CancellationToken cancellationToken) =>
            task.Key is { Campaign: BrokenCampaign, Layer: BrokenLayer }
                ? throw new InvalidDataException($"layer {BrokenLayer} cannot be evaluated here")
                : inner.Evaluate(task, slot, cancellationToken);
    }
}
