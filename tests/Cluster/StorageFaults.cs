using System.Collections.Concurrent;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// Failures a test injects into <see cref="SharedMemoryStorage"/>: writes for which <see cref="FailWrite"/> returns true
/// throw, as a Redis write that times out would. Also counts reads and injected failures per (state, grain key).
/// </summary>
public sealed class StorageFaults
{
    private readonly ConcurrentDictionary<(string State, string Grain), int> reads = new();
    private readonly ConcurrentDictionary<(string State, string Grain), int> writes = new();
    private int injected;

    /// <summary>(state name, grain key, how many write attempts of that state and grain came before) → fail this write.</summary>
    public Func<string, string, int, bool> FailWrite { get; set; } = (_, _, _) => false;

    public int Injected => injected;

    public int Reads(string state, string grain) => reads.GetValueOrDefault((state, grain));

    internal bool ShouldFail(string state, string grain)
    {
        var before = writes.AddOrUpdate((state, grain), 1, (_, n) => n + 1) - 1;
        if (!FailWrite(state, grain, before))
            return false;
        Interlocked.Increment(ref injected);
        return true;
    }

    internal void CountRead(string state, string grain) => reads.AddOrUpdate((state, grain), 1, (_, n) => n + 1);
}
