namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// The speed tuple YOLOv7's test.py returns and the paper writes into every sensitivity line:
/// <c>(t_inf, t_nms, t_total, img, img, batch)</c>, times in milliseconds per image.
/// </summary>
/// <param name="InferenceMs">Mean forward time per image (ms).</param>
/// <param name="NmsMs">Mean non-maximum-suppression time per image (ms).</param>
/// <param name="TotalMs">Their sum as test.py computes it (ms).</param>
/// <param name="ImageHeight">Evaluation image size, first of the two <c>img</c> entries.</param>
/// <param name="ImageWidth">Evaluation image size, second of the two <c>img</c> entries.</param>
/// <param name="BatchSize">Evaluation batch size.</param>
public sealed record SensitivityTiming(
    double InferenceMs,
    double NmsMs,
    double TotalMs,
    int ImageHeight,
    int ImageWidth,
    int BatchSize);
