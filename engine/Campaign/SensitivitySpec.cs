namespace PruneCluster.Engine.Campaign;

/// <summary>The sensitivity analysis each iteration runs (the options of <c>prunecluster sensitivity</c>).</summary>
/// <param name="Rates">Pruning rates tried for every layer.</param>
/// <param name="Criterion">Filter criterion 0-6, as <c>--criterion</c>.</param>
/// <param name="Seed">Seed of criterion 6 (random).</param>
/// <param name="Img">Evaluation image size (a multiple of 32).</param>
/// <param name="Batch">Evaluation batch size.</param>
/// <param name="Conf">Confidence threshold of NMS (test.py's 0.001).</param>
/// <param name="Iou">IoU threshold of NMS (test.py's 0.65).</param>
public sealed record SensitivitySpec(
    IReadOnlyList<double>? Rates = null,
    int Criterion = 0,
    long Seed = 0,
    int Img = 640,
    int Batch = 32,
    double Conf = 0.001,
    double Iou = 0.65)
{
    /// <summary>The rates, the paper's 0.25/0.5/0.75 when none are given.</summary>
    public IReadOnlyList<double> Rates { get; init; } = Rates ?? [0.25, 0.5, 0.75];
}
