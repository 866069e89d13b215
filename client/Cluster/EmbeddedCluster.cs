using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Microsoft.AspNetCore.Hosting;
using Orleans.Dashboard;
using PruneCluster.Silo;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Grains;
using PruneCluster.Grains.Campaigns;
using PruneCluster.Grains.Hosting;

namespace PruneCluster.Client.Cluster;

/// <summary>
/// The embedded cluster of one campaign folder: a silo in this process with the same grains as a real cluster, its
/// grain state in files under <c>FOLDER/state</c> (so <c>resume</c> continues after Ctrl-C or a crash) and its
/// artifacts under <c>FOLDER/artifacts</c> unless the campaign named another store. One process hosts it at a time
/// (it holds <c>FOLDER/embedded.lock</c> and writes its gateway port to <c>FOLDER/embedded.json</c>); other commands on
/// the same campaign connect to that process as clients.
/// </summary>
public static class EmbeddedCluster
{
    public const string ClusterId = "prunecluster-embedded";

    /// <summary>Leases of the single embedded silo: short, so that a restarted process takes its work back soon.</summary>
    private static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(20);

    public static string InfoPath(string folder) => Path.Combine(folder, "embedded.json");

    /// <summary>The artifact store a campaign folder's campaign uses.</summary>
    public static string Artifacts(string folder) => Read(folder)?.Artifacts ?? Path.Combine(folder, "artifacts");

    /// <summary>
    /// Connects to the process hosting the folder's cluster, or hosts it here (with evaluation slots when
    /// <paramref name="slots"/> &gt; 0, and the Orleans dashboard and campaign pages on <paramref name="dashboard"/>'s
    /// loopback port when given: see <see cref="DashboardPort"/>).
    /// </summary>
    public static async Task<ClusterSession> Open(string folder, string? artifacts, string device, int slots, CancellationToken cancellationToken,
        DashboardPort? dashboard = null)
    {
        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        FileStream held;
        try
        {
            held = new FileStream(Path.Combine(folder, "embedded.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            var running = Read(folder) ?? throw new ClusterException($"{folder} is in use by another process that has not said how to reach it; wait for it or stop it");
            return await ClusterSession.ConnectGateway(running.GatewayPort, ClusterId, $"the embedded cluster of process {running.Pid} ({folder})", cancellationToken);
        }
        try
        {
            var store = artifacts ?? Artifacts(folder);
            var (siloPort, gatewayPort) = (LoopbackPort.Free(), LoopbackPort.Free());
            void Silo(ISiloBuilder silo)
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: ClusterId, clusterId: ClusterId)
                    .AddFileGrainStorage(StorageNames.Cluster, Path.Combine(folder, "state"))
                    .UseInMemoryReminderService()
                    .AddEngineWorkers(store, [device], slots);
                silo.Services.Configure<CoordinatorOptions>(o => (o.JobLeaseTtl, o.VariantLeaseTtl) = (LeaseTtl, LeaseTtl));
                if (dashboard is not null)
                    silo.AddDashboard(o => o.HideTrace = true);
            }
            // With pages: the silo's own, as prunecluster-silo serves them, on loopback only; without: no web server at all.
            IHostApplicationBuilder builder = dashboard is null ? Host.CreateApplicationBuilder() : WebApplication.CreateBuilder();
            builder.Logging.ClearProviders();
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
            builder.UseOrleans(Silo);
            var host = builder switch
            {
                WebApplicationBuilder web => Pages(web, dashboard!),
                HostApplicationBuilder plain => plain.Build(),
                _ => throw new InvalidOperationException(builder.GetType().Name),
            };
            var session = await ClusterSession.Start(host, $"the embedded cluster in {folder}", "see the line above", cancellationToken, held, dashboard);
            Write(folder, new EmbeddedInfo(store, gatewayPort, Environment.ProcessId));
            return session;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    private static WebApplication Pages(WebApplicationBuilder builder, DashboardPort dashboard)
    {
        builder.WebHost.UseUrls(dashboard.Url);
        var app = builder.Build();
        app.MapCampaigns();
        app.MapOrleansDashboard(routePrefix: "/dashboard");
        return app;
    }

    private static EmbeddedInfo? Read(string folder)
    {
        try
        {
            return JsonSerializer.Deserialize<EmbeddedInfo>(File.ReadAllText(InfoPath(folder)));
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    private static void Write(string folder, EmbeddedInfo info) =>
        AtomicFile.Write(InfoPath(folder), stream => JsonSerializer.Serialize(stream, info, new JsonSerializerOptions { WriteIndented = true }));

    private sealed record EmbeddedInfo(string Artifacts, int GatewayPort, int Pid);
}
