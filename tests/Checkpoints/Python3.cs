using System.Diagnostics;

namespace PruneCluster.Tests.Checkpoints;

/// <summary>
/// Runs a stdlib-only Python script (python3 is on the machine, torch is not) to check our files with an
/// independent implementation of pickle/zip, or to write files the way a foreign writer would.
/// </summary>
public static class Python3
{
    private static readonly Lazy<string?> Executable = new(Find);
    private static readonly Lazy<string?> TorchExecutable = new(FindTorch);

    /// <summary>False when no python3 is on PATH; tests that need it then return early.</summary>
    public static bool Available => Executable.Value != null;

    /// <summary>False when no python3 can import torch (python3-torch 1.13, the paper's version, installs it in /usr/bin/python3).</summary>
    public static bool TorchAvailable => TorchExecutable.Value != null;

    public static string Run(string script, params string[] arguments) =>
        RunWith(Executable.Value ?? throw new InvalidOperationException("python3 not found on PATH"), script, arguments);

    /// <summary>Runs the script with a python3 that has torch.</summary>
    public static string RunWithTorch(string script, params string[] arguments) =>
        RunWith(TorchExecutable.Value ?? throw new InvalidOperationException("no python3 with torch found"), script, arguments);

    private static string RunWith(string executable, string script, string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
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

    private static string? FindTorch() =>
        new[] { Executable.Value, "/usr/bin/python3" }.OfType<string>().Distinct().FirstOrDefault(candidate =>
        {
            try
            {
                RunWith(candidate, "import torch", []);
                return true;
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                return false;
            }
        });

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
