namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// The numbers YOLOv7's test.py reports for a validation run. Per-class arrays (<see cref="P"/>, <see cref="R"/>,
/// <see cref="Ap50"/>, <see cref="Ap"/>) are aligned with <see cref="ApClass"/>; <see cref="Maps"/> and
/// <see cref="Nt"/> are indexed by class id (length <c>nc</c>).
/// </summary>
/// <param name="Mp">Mean precision over <see cref="ApClass"/> at the max-mean-F1 confidence.</param>
/// <param name="Mr">Mean recall, likewise.</param>
/// <param name="Map50">mAP@0.5.</param>
/// <param name="Map">mAP@0.5:0.95.</param>
/// <param name="Maps">Per-class mAP@0.5:0.95 by class id; classes without labels carry <see cref="Map"/>.</param>
/// <param name="ApClass">Classes that have labels, ascending.</param>
/// <param name="P">Precision per entry of <see cref="ApClass"/>.</param>
/// <param name="R">Recall per entry of <see cref="ApClass"/>.</param>
/// <param name="Ap50">AP@0.5 per entry of <see cref="ApClass"/>.</param>
/// <param name="Ap">AP@0.5:0.95 per entry of <see cref="ApClass"/>.</param>
/// <param name="Nt">Number of labels per class id.</param>
/// <param name="Images">Number of images scored (test.py's <c>seen</c>).</param>
public sealed record DetectionMetrics(
    double Mp,
    double Mr,
    double Map50,
    double Map,
    double[] Maps,
    int[] ApClass,
    double[] P,
    double[] R,
    double[] Ap50,
    double[] Ap,
    long[] Nt,
    int Images)
{
    /// <summary>Total number of labels.</summary>
    public long Labels => Nt.Sum();

    /// <summary>YOLOv7's fitness: 0.1 · mAP@0.5 + 0.9 · mAP@0.5:0.95 (utils/metrics.py <c>fitness</c>).</summary>
    public double Fitness => 0.1 * Map50 + 0.9 * Map;
}
