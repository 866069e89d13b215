namespace PruneCluster.Engine.Evaluation;

/// <summary>Choices for <see cref="ModelEvaluator.Evaluate"/>; the defaults are what YOLOv7's test.py does.</summary>
public sealed record EvaluationOptions
{
    /// <summary>NMS thresholds; test.py's conf 0.001, IoU 0.65, multi-label unless changed.</summary>
    public NmsOptions Nms { get; init; } = NmsOptions.ForTest;

    /// <summary>
    /// Count parameters and GFLOPs of the model at the set's image size. A sensitivity loop that measures its
    /// variants elsewhere can switch this off (it walks every module once).
    /// </summary>
    public bool MeasureModel { get; init; } = true;

    /// <summary>Class names stored with <see cref="EvaluationResult.Detections"/>; null takes the data yaml's names.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
}
