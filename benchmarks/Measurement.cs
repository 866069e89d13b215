using System.Diagnostics;

namespace PruneCluster.Benchmarks;

/// <summary>Wall time and peak resident memory of one step (Linux: VmHWM, reset through /proc/self/clear_refs).</summary>
public sealed record Measurement(string Name, double Seconds, double PeakMiB)
{
    public static Measurement Run(string name, Action action, int repeats = 3) =>
        Run(name, () => 0, _ => action(), _ => { }, repeats);

    /// <summary>Times <paramref name="action"/> only; <paramref name="setup"/> and <paramref name="teardown"/> run outside the clock.</summary>
    public static Measurement Run<T>(string name, Func<T> setup, Action<T> action, Action<T> teardown, int repeats = 3)
    {
        var best = double.MaxValue;
        double peak = 0;
        for (var i = 0; i < repeats; i++)
        {
            var state = setup();
            ResetPeak();
            var clock = Stopwatch.StartNew();
            action(state);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
            peak = Math.Max(peak, ReadPeakMiB());
            teardown(state);
        }
        return new Measurement(name, best, peak);
    }

    private static void ResetPeak()
    {
        GC.Collect();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static double ReadPeakMiB()
    {
        if (!File.Exists("/proc/self/status"))
            return Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }
}
