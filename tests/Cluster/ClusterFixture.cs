using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using PruneCluster.Grains;
using PruneCluster.Grains.Evaluation;
using PruneCluster.Grains.Simulation;
using StackExchange.Redis;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// Three in-process silos with two evaluation slots each, the simulated evaluator (1 ms per GFLOP: a yolov7 layer-0
/// variant takes 0.1 s) and grain storage in a real redis-server, so an aggregator survives the silo it lived on.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public static readonly TimeSpan TimePerGflop = TimeSpan.FromMilliseconds(1);
    public const int SlotsPerSilo = 2;

    private readonly RedisServer redis = new();

    public InProcessTestCluster Cluster { get; }

    public ClusterFixture()
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddRedisGrainStorage(StorageNames.Cluster, o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis.Endpoint));
            silo.AddEvaluationWorkers(o =>
            {
                o.Devices = ["cpu"];
                o.SlotsPerDevice = SlotsPerSilo;
                o.IdlePoll = TimeSpan.FromMilliseconds(20);
                o.RetryDelay = TimeSpan.FromMilliseconds(100);
            });
            silo.Services.AddSingleton<IVariantEvaluator>(new SimulatedEvaluator(TimePerGflop));
            // A call into a killed silo fails after this instead of the default 30 s (long enough for this loaded machine).
            silo.Services.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        });
        builder.ConfigureClient(client => client.Services.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10)));
        Cluster = builder.Build();
    }

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        redis.Dispose();
    }
}
