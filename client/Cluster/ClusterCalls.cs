using Orleans.Runtime;

namespace PruneCluster.Client.Cluster;

/// <summary>
/// Grain calls from the client, retried with backoff while the cluster is in transition (a silo was killed: calls are
/// rejected for several seconds until the membership catches up, then land on another silo with the state intact).
/// </summary>
public static class ClusterCalls
{
    /// <summary>How long transient failures are retried before the client gives up with one line.</summary>
    public static TimeSpan Patience { get; set; } = TimeSpan.FromSeconds(30);

    public static async Task<T> Retry<T>(Func<Task<T>> call, CancellationToken cancellationToken = default)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (IsTransient(e) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(4).Ticks));
            }
            catch (Exception e) when (IsTransient(e))
            {
                throw new ClusterException($"the cluster did not answer for {Patience.TotalSeconds:0} s ({e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}); check that its silos run", e);
            }
        }
    }

    private static bool IsTransient(Exception e) =>
        e is OrleansMessageRejectionException or SiloUnavailableException or TimeoutException or Orleans.Runtime.Messaging.ConnectionFailedException;
}
