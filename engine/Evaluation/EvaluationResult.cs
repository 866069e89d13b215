namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// What test.py returns for one model on one split: the metrics, its speed tuple, and the model's size as it was
/// evaluated (fused or not, pruned or not).
/// </summary>
/// <param name="Metrics">P, R, mAP@.5, mAP@.5:.95, per class values and label counts.</param>
/// <param name="Speed">test.py's <c>t</c>: inference / NMS / total ms per image, image size, batch size.</param>
/// <param name="Params">Parameters of the model as evaluated (test.py's <c>params</c>; the fused count after Fuse()); null when not measured.</param>
/// <param name="ParamsFused">Parameters once fused, whatever state the model was in; null when not measured.</param>
/// <param name="Gflops">GFLOPs of one <see cref="EvaluationSpeed.ImageSize"/>² image (test.py's <c>fs</c>, before rounding); null when not measured.</param>
/// <param name="Elapsed">Wall time of the batch loop: tensor creation, inference, NMS and matching (not the final ap_per_class).</param>
/// <param name="Detections">Every image's final predictions and labels in original-image pixels (what --save-predictions writes).</param>
public sealed record EvaluationResult(
    DetectionMetrics Metrics,
    EvaluationSpeed Speed,
    long? Params,
    long? ParamsFused,
    double? Gflops,
    TimeSpan Elapsed,
    MetricsFile Detections)
{
    /// <summary>Images scored (test.py's <c>seen</c>).</summary>
    public int Images => Metrics.Images;

    /// <summary>Labels over all images.</summary>
    public long Labels => Metrics.Labels;

    /// <summary>Throughput of the whole loop (everything in <see cref="Elapsed"/>).</summary>
    public double ImagesPerSecond => Elapsed > TimeSpan.Zero ? Images / Elapsed.TotalSeconds : 0;
}
