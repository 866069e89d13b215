namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// The twelve numbers of pycocotools' <c>summarize()</c> for bounding boxes (its <c>stats</c>, in that order). Each is
/// the mean over every (IoU threshold, recall point, category) or (IoU threshold, category) entry that is not -1;
/// -1 when there is none (e.g. no ground truth of that size).
/// </summary>
/// <param name="Ap">AP @ IoU 0.50:0.95, all areas, 100 detections (COCO's headline mAP).</param>
/// <param name="Ap50">AP @ IoU 0.50.</param>
/// <param name="Ap75">AP @ IoU 0.75.</param>
/// <param name="ApSmall">AP for area ≤ 32².</param>
/// <param name="ApMedium">AP for 32² ≤ area ≤ 96².</param>
/// <param name="ApLarge">AP for area ≥ 96².</param>
/// <param name="Ar1">Recall @ IoU 0.50:0.95 with 1 detection per image and category.</param>
/// <param name="Ar10">Recall with 10 detections.</param>
/// <param name="Ar100">Recall with 100 detections.</param>
/// <param name="ArSmall">Recall for area ≤ 32² (100 detections).</param>
/// <param name="ArMedium">Recall for 32² ≤ area ≤ 96².</param>
/// <param name="ArLarge">Recall for area ≥ 96².</param>
public sealed record CocoMetrics(
    double Ap,
    double Ap50,
    double Ap75,
    double ApSmall,
    double ApMedium,
    double ApLarge,
    double Ar1,
    double Ar10,
    double Ar100,
    double ArSmall,
    double ArMedium,
    double ArLarge)
{
    /// <summary>pycocotools' <c>stats</c> array: the twelve values in the order above.</summary>
    public IReadOnlyList<double> Stats => [Ap, Ap50, Ap75, ApSmall, ApMedium, ApLarge, Ar1, Ar10, Ar100, ArSmall, ArMedium, ArLarge];

    /// <summary>Images evaluated.</summary>
    public int Images { get; init; }

    /// <summary>Ground-truth annotations over those images, crowd regions included.</summary>
    public int Annotations { get; init; }

    /// <summary>Detections over those images (every one, before the per-category cut to 100).</summary>
    public int Detections { get; init; }

    internal static CocoMetrics FromStats(IReadOnlyList<double> s) =>
        new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11]);
}
