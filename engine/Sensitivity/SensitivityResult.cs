namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// One line of a sensitivity-analysis file: the model with only <see cref="Layer"/> pruned at <see cref="Rate"/>,
/// evaluated. Mirrors the paper's <c>(i, (mp, mr, map50, map, [maps], (t...), params, gflops))</c>.
/// </summary>
/// <param name="Layer">Conv-layer index as used by <c>--pruning-params</c>.</param>
/// <param name="Rate">Pruning rate; the file name carries it as <c>output_{int(100·rate)}.txt</c>.</param>
/// <param name="Mp">Mean precision.</param>
/// <param name="Mr">Mean recall.</param>
/// <param name="Map50">mAP@0.5.</param>
/// <param name="Map">mAP@0.5:0.95 (what the paper's layer selection scores with).</param>
/// <param name="PerClassMaps">Per-class mAP@0.5:0.95, classes without labels filled with <see cref="Map"/>.</param>
/// <param name="Timing">Speed tuple.</param>
/// <param name="Params">Parameter count of the pruned model.</param>
/// <param name="Gflops">GFLOPs of the pruned model at the evaluation image size.</param>
public sealed record SensitivityResult(
    int Layer,
    double Rate,
    double Mp,
    double Mr,
    double Map50,
    double Map,
    double[] PerClassMaps,
    SensitivityTiming Timing,
    long Params,
    double Gflops)
{
    /// <summary>Value equality including the per-class array (a record would compare the array reference).</summary>
    public bool Equals(SensitivityResult? other) =>
        other is not null
        && Layer == other.Layer
        && Rate.Equals(other.Rate)
        && Mp.Equals(other.Mp)
        && Mr.Equals(other.Mr)
        && Map50.Equals(other.Map50)
        && Map.Equals(other.Map)
        && PerClassMaps.AsSpan().SequenceEqual(other.PerClassMaps)
        && Timing == other.Timing
        && Params == other.Params
        && Gflops.Equals(other.Gflops);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Layer, Rate, Map, PerClassMaps.Length, Params, Gflops);
}
