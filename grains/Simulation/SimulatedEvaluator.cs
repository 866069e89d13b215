using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Evaluation;

namespace PruneCluster.Grains.Simulation;

/// <summary>
/// A stand-in evaluator for tests and benchmarks, never for real campaigns: it takes <paramref name="timePerGflop"/> ×
/// the task's cost (a sleep, cut short by cancellation) and returns fake metrics that depend only on (layer, rate), so
/// any silo, slot or repetition produces the same numbers.
/// </summary>
public sealed class SimulatedEvaluator(TimeSpan timePerGflop) : IVariantEvaluator
{
    public static readonly string[] Classes = ["a", "b", "c"];

    public VariantResult Evaluate(VariantTask task, DeviceSlot slot, CancellationToken cancellationToken)
    {
        if (cancellationToken.WaitHandle.WaitOne(timePerGflop * task.Cost))
            cancellationToken.ThrowIfCancellationRequested();
        return Metrics(task);
    }

    /// <summary>The fake metrics of a task: mAP falls with the rate, more for "sensitive" layers (a fixed hash of the layer).</summary>
    public static VariantResult Metrics(VariantTask task)
    {
        var (layer, rate) = (task.Key.Layer, task.Key.Rate);
        var sensitivity = 0.2 + 0.8 * Fraction(Math.Sin(layer * 12.9898) * 43758.5453);
        var map = 0.6 * (1 - 0.9 * rate * rate * sensitivity);
        var share = task.Cost / Yolov7CostProfile.TotalGflops;
        return new VariantResult(task.Key, Mp: map + 0.2, Mr: map + 0.1, Map50: map * 1.4, Map: map,
            PerClassMaps: [.. Classes.Select((_, c) => map * (0.9 + 0.1 * c))],
            Params: (long)(36_905_341 * (1 - 0.05 * rate * share)), Gflops: Yolov7CostProfile.TotalGflops * (1 - 0.05 * rate * share),
            Seconds: 0, Silo: "", Device: "");
    }

    private static double Fraction(double x) => x - Math.Floor(x);
}
