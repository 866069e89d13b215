namespace PruneCluster.Grains.Evaluation;

/// <summary>
/// A dedicated thread that runs one evaluation at a time for a slot: heavy, blocking work stays off the Orleans
/// scheduler and the thread pool, and a device's work always runs on the same thread.
/// </summary>
public sealed class SlotThread : IDisposable
{
    private readonly System.Collections.Concurrent.BlockingCollection<Action> work = new();
    private readonly Thread thread;

    public SlotThread(string name)
    {
        thread = new Thread(() =>
        {
            foreach (var item in work.GetConsumingEnumerable())
                item();
        }) { IsBackground = true, Name = name };
        thread.Start();
    }

    public Task<T> Run<T>(Func<T> function)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Add(() =>
        {
            try
            {
                done.SetResult(function());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    public void Dispose()
    {
        work.CompleteAdding();
        thread.Join();
        work.Dispose();
    }
}
