using System.Diagnostics;
using System.Text;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Cluster;

/// <summary>The built <c>prunecluster-silo</c> running as its own process, as an operator starts it.</summary>
public sealed class SiloProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder stdout = new(), stderr = new();

    public SiloProcess(params string[] args)
    {
        // The silo's own build output, in the configuration the tests were built in (the test project builds it first).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var dll = RepoFiles.Path("silo", "bin", configuration, "net10.0", "prunecluster-silo.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Stdout { get { lock (stdout) return stdout.ToString(); } }

    public string Stderr { get { lock (stderr) return stderr.ToString(); } }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>SIGTERM, as Kubernetes and systemd stop a process: the silo shuts down gracefully.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();

    /// <summary>SIGKILL (kill -9): the silo dies at once, leaving nothing and telling no one.</summary>
    public void KillHard()
    {
        Process.Start("kill", ["-KILL", process.Id.ToString()])!.WaitForExit();
        process.WaitForExit();
    }

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
