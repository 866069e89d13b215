using System.Diagnostics;

namespace PruneCluster.Tests.Support;

/// <summary>Runs the built <c>prunecluster</c> CLI as a user would, in its own process.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "prunecluster.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["COLUMNS"] = "200";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"prunecluster {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Runs the CLI and sends it SIGINT (Ctrl-C) once a line of stderr (or of stdout, with <paramref name="watchStdout"/>)
    /// matches <paramref name="interruptAt"/>; fails when no line did.
    /// </summary>
    public static Result RunUntil(string[] args, Func<string, bool> interruptAt, bool watchStdout = false)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "prunecluster.dll"));
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var (watched, other) = watchStdout ? (process.StandardOutput, process.StandardError) : (process.StandardError, process.StandardOutput);
        var rest = other.ReadToEndAsync();
        var lines = new System.Text.StringBuilder();
        var signalled = false;
        while (watched.ReadLine() is { } line)
        {
            lines.AppendLine(line);
            if (!signalled && interruptAt(line))
            {
                using var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                kill.WaitForExit();
                signalled = true;
            }
        }
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"prunecluster {string.Join(' ', args)} did not stop after SIGINT");
        }
        Assert.True(signalled, $"prunecluster {string.Join(' ', args)} never reached the point to interrupt: {lines}{rest.Result}");
        return watchStdout ? new Result(process.ExitCode, lines.ToString(), rest.Result) : new Result(process.ExitCode, rest.Result, lines.ToString());
    }
}
