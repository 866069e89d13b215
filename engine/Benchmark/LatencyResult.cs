namespace PruneCluster.Engine.Benchmark;

/// <summary>Measured latency of one model.</summary>
/// <param name="RunMs">Wall time of every timed run (whole batch), in order.</param>
/// <param name="CpuMs">Process CPU time of every timed run: on a loaded machine the work done, where wall time also
/// counts the waits for a core.</param>
/// <param name="ConvMs">ONNX Runtime: mean time per run of each conv layer's node (by conv-layer index), from its profiler;
/// empty for TorchSharp.</param>
public sealed record LatencyResult(int Batch, IReadOnlyList<double> RunMs, IReadOnlyList<double> CpuMs, IReadOnlyDictionary<int, double> ConvMs)
{
    /// <summary>Median latency per image (ms).</summary>
    public double MedianMs => Percentile(RunMs, 0.5) / Batch;

    /// <summary>Median process CPU time per image (ms).</summary>
    public double MedianCpuMs => Percentile(CpuMs, 0.5) / Batch;

    /// <summary>90th-percentile latency per image (ms).</summary>
    public double P90Ms => Percentile(RunMs, 0.9) / Batch;

    /// <summary>Time of all conv nodes per image (ms), or null without a profile.</summary>
    public double? ConvTotalMs => ConvMs.Count == 0 ? null : ConvMs.Values.Sum() / Batch;

    // Linear interpolation between closest ranks (numpy's default).
    private static double Percentile(IReadOnlyList<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}
