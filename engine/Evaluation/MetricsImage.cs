namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// One image's labels and final (post-NMS) predictions, in pixels of the same image space.
/// </summary>
/// <param name="Labels">[m, 5] rows <c>cls, x1, y1, x2, y2</c>.</param>
/// <param name="Predictions">[n, 6] rows <c>x1, y1, x2, y2, conf, cls</c>, sorted by confidence as NMS returns them.</param>
/// <param name="Name">Optional image identifier (file name); not used for scoring.</param>
public sealed record MetricsImage(double[,] Labels, double[,] Predictions, string? Name = null);
