using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Grains;
using PruneCluster.Grains.Campaigns;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Evaluation;
using PruneCluster.Grains.Hosting;
using PruneCluster.Grains.Jobs;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Support;
using StackExchange.Redis;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// Campaigns on three in-process silos with the real engine: a coordinator-only primary (no slots) and two workers with
/// one CPU slot each, grain storage in a real redis-server, an artifact store in a temporary folder, a slice of bccd
/// (8 images) and the trained bccd yolov7-tiny model.
/// </summary>
public sealed class CampaignClusterFixture : IAsyncLifetime
{
    public static readonly string Weights = SharedData.Golden("bccd-yolov7-tiny.pt");

    private readonly RedisServer redis = new();
    private readonly TempFolder folder = new();

    public InProcessTestCluster Cluster { get; }

    public ArtifactStore Store { get; }

    public string DataYaml { get; }

    public CampaignClusterFixture()
    {
        Store = new ArtifactStore(folder.File("artifacts"));
        DataYaml = BccdSlice.Write(folder.Path, 8);
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((options, silo) =>
        {
            silo.AddRedisGrainStorage(StorageNames.Cluster, o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis.Endpoint));
            silo.UseInMemoryReminderService();
            silo.AddEngineWorkers(Store.Root, ["cpu"], options.SiloName == "Primary" ? 0 : 1);
            silo.Services.Configure<EvaluationWorkerOptions>(o => (o.IdlePoll, o.RetryDelay) = (TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)));
            silo.Services.Configure<CoordinatorOptions>(o =>
                (o.Poll, o.JobLeaseTtl, o.VariantLeaseTtl) = (TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20)));
            silo.Services.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        });
        builder.ConfigureClient(client => client.Services.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10)));
        Cluster = builder.Build();
    }

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>How a campaign with <paramref name="specYaml"/> over the fixture's model and data starts.</summary>
    public CampaignStart Start(string name, string specYaml) =>
        new(name, Store.Put(Weights), DataYaml, CampaignData.Digest(Engine.Data.DataYaml.Load(DataYaml)), specYaml, DateTime.UtcNow);

    public async Task<CampaignStatus> WaitFor(string id, Func<CampaignStatus, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await Grains.GetGrain<ICampaignGrain>(id).GetStatus();
            if (condition(status))
                return status;
            if (status.Phase == CampaignPhase.Failed || clock.Elapsed > timeout)
                throw new TimeoutException($"campaign {id} stuck: {status.Phase} — {status.Step}");
            await Task.Delay(200);
        }
    }

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        redis.Dispose();
        folder.Dispose();
    }
}
