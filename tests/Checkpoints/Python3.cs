using System.Diagnostics;

namespace PruneCluster.Tests.Checkpoints;

/// <summary>
/// Runs a stdlib-only Python script (python3 is on the machine, torch is not) to check our files with an
/// independent implementation of pickle/zip, or to write files the way a foreign writer would.
/// </summary>
public static class Python3
{
    private static readonly Lazy<string?> Executable = new(Find);

    /// <summary>False when no python3 is on PATH; tests that need it then return early.</summary>
    public static bool Available => Executable.Value != null;

    public static string Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable.Value ?? throw new InvalidOperationException("python3 not found on PATH"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-");
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"python3 exited with {process.ExitCode}: {stderr.Result}");
        return stdout;
    }

    private static string? Find()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(folder, "python3");
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
