using System.Diagnostics.CodeAnalysis;

namespace PruneCluster.Client.Cli;

/// <summary>A token the first Ctrl-C cancels (the process then stops gracefully); a second Ctrl-C ends it at once.</summary>
public sealed class CtrlC : IDisposable
{
    /// <summary>Exit code after Ctrl-C, as shells report a process stopped by SIGINT (128 + 2).</summary>
    public const int ExitCode = 130;

    private readonly CancellationTokenSource source;
    private readonly ConsoleCancelEventHandler handler;

    public CtrlC(CancellationToken outer)
    {
        source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        handler = (_, e) =>
        {
            e.Cancel = !source.IsCancellationRequested;
            source.Cancel();
        };
        Console.CancelKeyPress += handler;
    }

    public CancellationToken Token => source.Token;

    /// <summary>
    /// Runs <paramref name="work"/> with a token the first Ctrl-C cancels. When that stops it, writes
    /// <paramref name="interrupted"/>'s line (what is saved, how to resume) to stderr and returns false; the command
    /// then returns <see cref="ExitCode"/>.
    /// </summary>
    public static bool TryRun<T>(CancellationToken outer, Func<CancellationToken, T> work, Func<string> interrupted, [MaybeNullWhen(false)] out T result)
    {
        using var ctrlC = new CtrlC(outer);
        try
        {
            result = work(ctrlC.Token);
            return true;
        }
        catch (OperationCanceledException) when (ctrlC.Token.IsCancellationRequested)
        {
            Console.Error.WriteLine(interrupted());
            result = default;
            return false;
        }
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= handler;
        source.Dispose();
    }
}
