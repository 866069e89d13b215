using Orleans.TestingHost;
using PruneCluster.Grains;
using PruneCluster.Grains.Evaluation;
using PruneCluster.Grains.Simulation;
using Microsoft.Extensions.DependencyInjection;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// One coordinator-only silo (0 evaluation slots) with memory storage: the grains' protocol driven by the test alone,
/// with no worker taking leases behind its back.
/// </summary>
public sealed class AggregatorFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; }

    public AggregatorFixture()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Cluster);
            silo.AddEvaluationWorkers(o => o.SlotsPerDevice = 0);
            silo.Services.AddSingleton<IVariantEvaluator>(new SimulatedEvaluator(TimeSpan.Zero));
        });
        Cluster = builder.Build();
    }

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
