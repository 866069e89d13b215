using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace PruneCluster.Tests.Support;

/// <summary>
/// A built program of this repository — the <c>prunecluster</c> CLI or <c>prunecluster-silo</c> — running in its own
/// process as a user or an operator starts it: its output collected as it comes (exactly as written), the signals a
/// terminal or an orchestrator sends, waits that fail clearly (with the output) when it exits or time runs out first,
/// and the whole process tree killed when disposed.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly Process process;
    private readonly StringBuilder stdout = new(), stderr = new();
    private readonly Task reading;
    private bool disposed;

    private ChildProcess(string dll, IEnumerable<string> args)
    {
        Name = $"{Path.GetFileNameWithoutExtension(dll)} {string.Join(' ', args)}";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["COLUMNS"] = "200";
        process = Process.Start(start)!;
        reading = Task.WhenAll(Collect(process.StandardOutput, stdout), Collect(process.StandardError, stderr));
    }

    /// <summary>The CLI beside the test binary.</summary>
    public static ChildProcess Cli(params string[] args) => new(Path.Combine(AppContext.BaseDirectory, "prunecluster.dll"), args);

    /// <summary>The silo's own build output, in the configuration the tests were built in (the test project builds it first).</summary>
    public static ChildProcess Silo(params string[] args) =>
        new(RepoFiles.Path("silo", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "prunecluster-silo.dll"), args);

    /// <summary>The program and its arguments, for messages.</summary>
    public string Name { get; }

    public string Stdout { get { lock (stdout) return stdout.ToString(); } }

    public string Stderr { get { lock (stderr) return stderr.ToString(); } }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>SIGINT, as Ctrl-C in a terminal.</summary>
    public void Interrupt() => Signal("INT");

    /// <summary>SIGTERM, as Kubernetes and systemd stop a process: the silo shuts down gracefully.</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>SIGKILL (kill -9): the process dies at once, leaving nothing and telling no one.</summary>
    public void KillHard()
    {
        Signal("KILL");
        process.WaitForExit();
    }

    /// <summary>True when the process ended within <paramref name="timeout"/> (its output then read to the end).</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
            return false;
        // The pipes close with the process; a grandchild holding them open must not hang the test.
        reading.Wait(TimeSpan.FromSeconds(30));
        return true;
    }

    /// <summary>Waits for the process to end; when it does not within <paramref name="timeout"/>, kills its tree and fails saying so.</summary>
    public void Finish(TimeSpan timeout, string what)
    {
        if (WaitForExit(timeout))
            return;
        process.Kill(entireProcessTree: true);
        WaitForExit(TimeSpan.FromSeconds(30));
        throw new TimeoutException($"{Name} {what} within {timeout.TotalSeconds:0} s; killed it. Output so far:\n{Stderr}\n{Stdout}");
    }

    /// <summary>
    /// The first whole line of stderr (of stdout with <paramref name="onStdout"/>) that satisfies <paramref name="match"/>;
    /// fails when the process ends or <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task<string> WaitForLine(Func<string, bool> match, TimeSpan timeout, bool onStdout = false)
    {
        var clock = Stopwatch.StartNew();
        var scanned = -1;
        while (true)
        {
            var exited = process.HasExited;
            if (exited)   // its last lines may still be in the pipes
                await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(30))).ConfigureAwait(false);
            var text = onStdout ? Stdout : Stderr;
            // Whole lines only (the last one may still be half written), scanned again only when more came.
            var whole = text.LastIndexOf('\n') + 1;
            if (whole != scanned && text[..whole].Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(match) is { } line)
                return line;
            scanned = whole;
            if (exited || clock.Elapsed > timeout)
                throw new TimeoutException(
                    $"{Name}: no such line on {(onStdout ? "stdout" : "stderr")} {(exited ? $"before it exited ({process.ExitCode})" : $"within {timeout.TotalSeconds:0} s")}:\n{Stderr}\n{Stdout}");
            // Soon after the line: a caller may signal the process at that point.
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails when the process exits or <paramref name="timeout"/> passes first.</summary>
    public async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{Name} exited ({process.ExitCode}) before {what}:\n{Stderr}\n{Stdout}");
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{Name}: not {what} within {timeout.TotalSeconds:0} s:\n{Stderr}\n{Tail(Stdout)}");
            await Task.Delay(250).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until <paramref name="url"/> answers 200 (a silo takes seconds to join its cluster), failing early if the process died.</summary>
    public Task WaitForOk(string url, TimeSpan timeout) => WaitUntil(async () =>
    {
        try
        {
            using var response = await Http.GetAsync(url).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }, timeout, $"answering 200 at {url}");

    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        process.Dispose();
    }

    private void Signal(string name)
    {
        using var kill = Process.Start("kill", [$"-{name}", process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    // As written, line breaks included (the redirected streams' line events would split at '\r' too).
    private static async Task Collect(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            lock (into)
                into.Append(buffer, 0, read);
    }

    private static string Tail(string text) => text[Math.Max(0, text.Length - 6000)..];
}
