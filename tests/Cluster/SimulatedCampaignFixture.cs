using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using PruneCluster.Grains;
using PruneCluster.Grains.Campaigns;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Evaluation;
using PruneCluster.Grains.Jobs;
using PruneCluster.Grains.Simulation;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// Three in-process silos with 1 (the first), 2 and 2 evaluation slots, the simulated evaluator (10 ms per GFLOP: a yolov7 layer-0
/// variant takes 1 s) and simulated campaign jobs (0.1 s each, a plan of 30 layers × the campaign's rates), memory
/// storage and reminders: whole campaigns and the cluster status without the engine. Slots report every 0.2 s;
/// variant leases live 1.5 s (renewed every 0.5 s).
/// </summary>
public sealed class SimulatedCampaignFixture : IAsyncLifetime
{
    public static readonly TimeSpan ReportPeriod = TimeSpan.FromMilliseconds(200);
    public const int Layers = 30;

    public InProcessTestCluster Cluster { get; }

    public SimulatedCampaignFixture()
    {
        var builder = new InProcessTestClusterBuilder(3);
        var configured = 0;
        builder.ConfigureSilo((_, silo) =>
        {
            // The first silo (the one the others join) gets one slot, every later one two.
            var slots = Interlocked.Increment(ref configured) == 1 ? 1 : 2;
            silo.AddMemoryGrainStorage(StorageNames.Cluster);
            silo.UseInMemoryReminderService();
            silo.AddEvaluationWorkers(o =>
            {
                o.SlotsPerDevice = slots;
                o.IdlePoll = TimeSpan.FromMilliseconds(50);
                o.RetryDelay = TimeSpan.FromMilliseconds(100);
                o.ReportPeriod = ReportPeriod;
            });
            silo.Services.AddSingleton<IVariantEvaluator>(new SimulatedEvaluator(TimeSpan.FromMilliseconds(10)));
            silo.Services.AddSingleton<ICampaignJobRunner>(new SimulatedJobRunner(Layers, TimeSpan.FromMilliseconds(100)));
            silo.Services.Configure<CoordinatorOptions>(o =>
                (o.Poll, o.JobLeaseTtl, o.VariantLeaseTtl) = (TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1.5)));
            silo.Services.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        });
        builder.ConfigureClient(client => client.Services.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10)));
        Cluster = builder.Build();
    }

    public IGrainFactory Grains => Cluster.Client;

    public Task<ClusterStatus> Status() => Grains.GetGrain<IClusterStatusGrain>(0).GetStatus();

    /// <summary>Polls the cluster status until <paramref name="condition"/> holds.</summary>
    public async Task<ClusterStatus> WaitForStatus(Func<ClusterStatus, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer";
        while (true)
        {
            try
            {
                var status = await Status();
                if (condition(status))
                    return status;
                last = string.Join("; ", status.Silos.Select(s => $"{s.Address} {s.Status} {s.Slots.Length} slots {s.Slots.Count(x => x.Busy)} busy, reported {s.ReportAge}"));
            }
            catch (Exception e) when (clock.Elapsed < timeout)
            {
                last = e.Message;   // a silo was just killed: calls fail until the membership knows
            }
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{what} within {timeout}: {last}");
            await Task.Delay(50);
        }
    }

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
