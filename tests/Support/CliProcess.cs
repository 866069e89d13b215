using System.Diagnostics;
using System.Text;

namespace PruneCluster.Tests.Support;

/// <summary>The built <c>prunecluster</c> CLI running in its own process while the test talks to it (a foreground campaign).</summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder stdout = new(), stderr = new();

    public CliProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "prunecluster.dll"));
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["COLUMNS"] = "200";
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Stdout { get { lock (stdout) return stdout.ToString(); } }

    public string Stderr { get { lock (stderr) return stderr.ToString(); } }

    public int ExitCode => process.ExitCode;

    /// <summary>The first stderr line that satisfies <paramref name="match"/>; fails when the process ends or time runs out first.</summary>
    public async Task<string> WaitForStderrLine(Func<string, bool> match, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (Stderr.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(match) is { } line)
                return line;
            if (process.HasExited || clock.Elapsed > timeout)
                throw new TimeoutException($"no such line on stderr (exited: {process.HasExited}) within {timeout}:\n{Stderr}\n{Stdout}");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGINT, as Ctrl-C in a terminal.</summary>
    public void Interrupt() => Process.Start("kill", ["-INT", process.Id.ToString()])!.WaitForExit();

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
            return false;
        process.WaitForExit();   // drains the redirected output
        return true;
    }

    public void Dispose()
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}
