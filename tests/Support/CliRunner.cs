namespace PruneCluster.Tests.Support;

/// <summary>Runs the built <c>prunecluster</c> CLI as a user would, in its own process (<see cref="ChildProcess"/>).</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args)
    {
        using var cli = ChildProcess.Cli(args);
        cli.Finish(TimeSpan.FromMinutes(5), "did not finish");
        return new Result(cli.ExitCode, cli.Stdout, cli.Stderr);
    }

    /// <summary>
    /// Runs the CLI and sends it SIGINT (Ctrl-C) once a line of stderr (or of stdout, with <paramref name="watchStdout"/>)
    /// matches <paramref name="interruptAt"/>. Fails — killing the process tree — when no line did before it exited or
    /// within <paramref name="timeout"/> (default 10 minutes), or when it did not stop within 5 minutes of the SIGINT.
    /// </summary>
    public static Result RunUntil(string[] args, Func<string, bool> interruptAt, bool watchStdout = false, TimeSpan? timeout = null)
    {
        using var cli = ChildProcess.Cli(args);
        try
        {
            cli.WaitForLine(interruptAt, timeout ?? TimeSpan.FromMinutes(10), watchStdout).GetAwaiter().GetResult();
        }
        catch (TimeoutException e)
        {
            cli.Dispose();   // the process tree, before the failure is reported
            Assert.Fail($"never reached the point to interrupt: {e.Message}");
        }
        cli.Interrupt();
        cli.Finish(TimeSpan.FromMinutes(5), "did not stop after SIGINT");
        return new Result(cli.ExitCode, cli.Stdout, cli.Stderr);
    }

    /// <summary>Bad input: exit code 2 and one line on stderr, <c>error: …</c>, that contains <paramref name="expected"/>.</summary>
    public static void AssertOneLine(Result run, string expected)
    {
        Assert.Equal(2, run.ExitCode);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"one line expected, got:\n{run.Stderr}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
    }
}
