namespace PruneCluster.Engine.Runtime;

/// <summary>
/// An IProgress that reports on the calling thread. System.Progress posts to the thread pool in a console app,
/// which would let updates arrive out of order or after the work has finished.
/// </summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
