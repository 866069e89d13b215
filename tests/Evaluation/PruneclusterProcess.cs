using System.Diagnostics;

namespace PruneCluster.Tests.Evaluation;

/// <summary>
/// Runs the built CLI (prunecluster.dll, copied beside the tests) in its own process, so that its stdout/stderr
/// and exit code are exactly what a user sees and no console state is shared with tests running in parallel.
/// </summary>
public static class PruneclusterProcess
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    public static Outcome Run(params string[] arguments) => RunWith(new Dictionary<string, string?>(), arguments);

    /// <param name="environment">Variables to set for the process; a null value removes the variable.</param>
    public static Outcome RunWith(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        // dotnet test exports the host it runs under; fall back to PATH.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "prunecluster.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
        {
            if (value is null)
                start.Environment.Remove(name);
            else
                start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new Outcome(process.ExitCode, stdout, stderr.Result);
    }
}
