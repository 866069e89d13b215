using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StackExchange.Redis;

namespace PruneCluster.Client.Cluster;

/// <summary>
/// The client's way into a cluster: an Orleans client connected through Redis (<c>--cluster redis://host:port</c>)
/// or through the gateway of a running embedded cluster, or an embedded silo hosted in this process
/// (<see cref="EmbeddedCluster"/>). Connecting gives up after <see cref="ConnectTimeout"/> with one line (the whole command
/// then ends within 10 s).
/// </summary>
public sealed class ClusterSession(IHost host, string description, IDisposable? held = null, DashboardPort? dashboard = null) : IAsyncDisposable
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(7);

    public IGrainFactory Grains { get; } = host.Services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => host.Services;

    /// <summary>Where this process serves the dashboard and campaign pages of the embedded cluster it hosts; null for a client of another process's cluster, or with <c>--dashboard-port 0</c>.</summary>
    public DashboardPort? Dashboard { get; } = dashboard;

    /// <summary>Where the cluster is, for messages.</summary>
    public string Description { get; } = description;

    /// <summary>
    /// Connects to the cluster whose silos run with <c>--redis host:port</c>; both ids must be the silos' (Redis
    /// clustering keys its table by service and cluster id: another id finds no gateway).
    /// </summary>
    public static async Task<ClusterSession> ConnectRedis(string target, string clusterId, string serviceId, CancellationToken cancellationToken)
    {
        var endpoint = RedisEndpoint(target);
        await CheckReachable(endpoint, cancellationToken);
        var redis = ConfigurationOptions.Parse(endpoint);
        redis.Password = Environment.GetEnvironmentVariable("REDIS_PASSWORD");
        redis.AbortOnConnectFail = false;
        redis.ConnectTimeout = 3000;
        return await Connect(client => client.UseRedisClustering(o => o.ConfigurationOptions = redis)
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, serviceId)), $"redis://{endpoint}",
            "start a silo with --redis (prunecluster-silo --redis HOST:PORT) or check --cluster", cancellationToken);
    }

    /// <summary>Connects to the gateway of an embedded cluster another process runs.</summary>
    public static Task<ClusterSession> ConnectGateway(int port, string clusterId, string description, CancellationToken cancellationToken) =>
        Connect(client => client.UseLocalhostClustering(port, clusterId, clusterId), description,
            "the process running it may have stopped; run the command again", cancellationToken);

    /// <summary>Starts a host (a client or an embedded silo); on failure or after the timeout one line names the cluster.</summary>
    public static async Task<ClusterSession> Start(IHost host, string description, string fix, CancellationToken cancellationToken, IDisposable? held = null,
        DashboardPort? dashboard = null)
    {
        try
        {
            await host.StartAsync(cancellationToken).WaitAsync(ConnectTimeout, cancellationToken);
            return new ClusterSession(host, description, held, dashboard);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var why = e is TimeoutException ? $"no answer within {ConnectTimeout.TotalSeconds:0} s" : $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
            _ = Task.Run(() => host.Dispose(), CancellationToken.None);
            throw new ClusterException($"cannot reach the cluster at {description} ({why}); {fix}", e);
        }
    }

    private static Task<ClusterSession> Connect(Action<IClientBuilder> configure, string description, string fix, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            configure(client);
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(30));
            // A client that cannot reach any gateway gives up instead of retrying forever (the caller says why).
            client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
        });
        return Start(builder.Build(), description, fix, cancellationToken);
    }

    // A refused or silent Redis port is the common mistake: say so at once instead of after the Orleans client's timeout.
    private static async Task CheckReachable(string endpoint, CancellationToken cancellationToken)
    {
        var colon = endpoint.LastIndexOf(':');
        using var tcp = new System.Net.Sockets.TcpClient();
        try
        {
            await tcp.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), cancellationToken)
                .AsTask().WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new ClusterException($"cannot reach the cluster at redis://{endpoint} ({(e is TimeoutException ? "no answer within 3 s" : e.Message)}); start Redis and a silo with --redis {endpoint}, or check --cluster", e);
        }
    }

    /// <summary><c>redis://host:port</c> or <c>host:port</c>.</summary>
    public static string RedisEndpoint(string target)
    {
        var endpoint = target.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) ? target["redis://".Length..] : target;
        var colon = endpoint.LastIndexOf(':');
        return colon > 0 && int.TryParse(endpoint[(colon + 1)..], out var port) && port is > 0 and < 65536
            ? endpoint : throw new ClusterException($"--cluster: '{target}' is not redis://host:port (e.g. redis://127.0.0.1:6379)");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await host.StopAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            host.Dispose();
            held?.Dispose();
        }
    }
}
