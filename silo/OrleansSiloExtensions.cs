using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;
using PruneCluster.Grains;
using PruneCluster.Grains.Evaluation;
using PruneCluster.Grains.Hosting;
using PruneCluster.Grains.Simulation;
using StackExchange.Redis;

namespace PruneCluster.Silo;

/// <summary>The only place that knows clustering, storage and reminder providers.</summary>
public static class OrleansSiloExtensions
{
    public static WebApplicationBuilder AddPruneClusterSilo(this WebApplicationBuilder builder, SiloOptions options)
    {
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ServiceId));
            if (options.Redis is { } redis)
                silo.UseRedis(RedisConfiguration(redis, options.RedisPassword));
            else
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId)
                    .AddMemoryGrainStorage(StorageNames.Cluster)
                    .UseInMemoryReminderService();
            if (Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is not null)
                // The address comes from the pod (POD_IP), the ports from the options; it throws outside Kubernetes.
                silo.UseKubernetesHosting().Configure<EndpointOptions>(o => (o.SiloPort, o.GatewayPort) = (options.SiloPort, options.GatewayPort));
            else
                silo.ConfigureEndpoints(options.Advertise, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: !options.Advertise.Equals(IPAddress.Loopback));
            if (options.LivenessSeconds is { } seconds)
                // Heartbeat period in the membership table (Orleans' default 30 s). A silo killed without leaving is
                // stale after 3 missed heartbeats; only then do joining silos probe it and declare it dead, which they
                // must before they can join. So after a kill of every silo, new ones join within about 3N + 15 s.
                silo.Configure<ClusterMembershipOptions>(o => (o.IAmAliveTablePublishTimeout, o.NumMissedTableIAmAliveLimit) = (TimeSpan.FromSeconds(seconds), 3));
            silo.AddDashboard(o => o.HideTrace = true);
            silo.AddEvaluationWorkers(o => (o.Devices, o.SlotsPerDevice) = (options.Devices, options.SlotsPerDevice));
            if (options.Evaluator == "engine")
                silo.AddEngineEvaluator(options.Artifacts!).AddCampaignJobs();   // campaign jobs need the engine too
            else
                silo.Services.AddSingleton<IVariantEvaluator>(new SimulatedEvaluator(TimeSpan.FromMilliseconds(options.SimulatedMsPerGflop)));
        });
        return builder;
    }

    private static ISiloBuilder UseRedis(this ISiloBuilder silo, ConfigurationOptions redis) =>
        silo.UseRedisClustering(o => o.ConfigurationOptions = redis)
            .AddRedisGrainStorage(StorageNames.Cluster, o => o.ConfigurationOptions = redis)
            .UseRedisReminderService(o => o.ConfigurationOptions = redis);

    private static ConfigurationOptions RedisConfiguration(string endpoint, string? password)
    {
        var configuration = ConfigurationOptions.Parse(endpoint);
        configuration.Password = password;
        configuration.AbortOnConnectFail = false;
        return configuration;
    }
}
