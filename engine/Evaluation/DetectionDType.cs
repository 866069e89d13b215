namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// The dtype of the prediction and label tensors that test.py scores. With a model they are float32, so boxes and
/// confidences are float32 values and <c>box_iou</c> runs in float32; that rounding moves AP in the ninth digit
/// (it changes the confidence knots of the P/R interpolation) and decides IoUs that sit on a threshold.
/// The golden metrics were computed on float32 tensors too.
/// </summary>
public enum DetectionDType
{
    /// <summary>Boxes and confidences are rounded to float32 and IoU is computed in float32 (test.py with a model).</summary>
    Float32,

    /// <summary>Boxes, confidences and IoU stay in float64.</summary>
    Float64,
}
