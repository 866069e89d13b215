using System.Collections.Concurrent;
using Orleans.TestingHost;
using PruneCluster.Grains.Evaluation;
using PruneCluster.Grains.Simulation;
using Microsoft.Extensions.DependencyInjection;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// One coordinator-only silo (0 evaluation slots) with storage the test can fail and inspect: the grains' protocol
/// driven by the test alone, with no worker taking leases behind its back.
/// </summary>
public sealed class AggregatorFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; }

    public StorageFaults Faults { get; } = new();

    public AggregatorFixture()
    {
        var data = new ConcurrentDictionary<(string, GrainId), (object State, int Writes)>();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSharedMemoryStorage(data, Faults);
            silo.AddEvaluationWorkers(o => o.SlotsPerDevice = 0);
            silo.Services.AddSingleton<IVariantEvaluator>(new SimulatedEvaluator(TimeSpan.Zero));
        });
        Cluster = builder.Build();
    }

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
