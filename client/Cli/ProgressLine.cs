using System.Globalization;
using PruneCluster.Engine.Benchmark;

namespace PruneCluster.Client.Cli;

/// <summary>A benchmark's progress on stderr, at most one line every few seconds, with the phase's remaining time.</summary>
public sealed class ProgressLine(string label) : IProgress<BenchmarkProgress>
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
    private DateTime last = DateTime.UtcNow;

    public void Report(BenchmarkProgress value)
    {
        if (DateTime.UtcNow - last < Every && value.Done != value.Total)
            return;
        last = DateTime.UtcNow;
        var left = value.Elapsed / value.Done * (value.Total - value.Done);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: {value.Phase} {value.Done}/{value.Total}, {value.Elapsed:hh\\:mm\\:ss} elapsed, ETA {left:hh\\:mm\\:ss}"));
    }
}
