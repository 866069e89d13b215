using System.Globalization;

namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// pycocotools' <c>summarize()</c> for bounding boxes: which slice of the accumulated precision or recall each of the
/// twelve stats averages, and the block of text it prints, character for character.
/// </summary>
public static class CocoSummary
{
    /// <summary>The twelve <c>_summarize(ap, iouThr, areaRng, maxDets)</c> calls of <c>_summarizeDets</c>, in order.</summary>
    internal static readonly (bool Precision, double? IouThreshold, string Area, int MaxDets)[] Entries =
    [
        (true, null, "all", 100),
        (true, .5, "all", 100),
        (true, .75, "all", 100),
        (true, null, "small", 100),
        (true, null, "medium", 100),
        (true, null, "large", 100),
        (false, null, "all", 1),
        (false, null, "all", 10),
        (false, null, "all", 100),
        (false, null, "small", 100),
        (false, null, "medium", 100),
        (false, null, "large", 100),
    ];

    /// <summary>
    /// The twelve lines, e.g. <c> Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.384</c>
    /// (<c>' {:&lt;18} {} @[ IoU={:&lt;9} | area={:&gt;6s} | maxDets={:&gt;3d} ] = {:0.3f}'</c>; values rounded like Python's format).
    /// </summary>
    public static IReadOnlyList<string> Lines(CocoMetrics metrics)
    {
        var thresholds = CocoParameters.IouThresholds;
        var allThresholds = $"{Fixed(thresholds[0], 2)}:{Fixed(thresholds[^1], 2)}";
        return Entries.Select((e, i) =>
        {
            var title = e.Precision ? "Average Precision" : "Average Recall";
            var type = e.Precision ? "(AP)" : "(AR)";
            var iou = e.IouThreshold is { } threshold ? Fixed(threshold, 2) : allThresholds;
            return $" {title,-18} {type} @[ IoU={iou,-9} | area={e.Area,6} | maxDets={e.MaxDets,3} ] = {Fixed(metrics.Stats[i], 3)}";
        }).ToList();
    }

    // Python's '{:0.Nf}' rounds the exact binary value half-to-even (0.0625 → 0.062); so does .NET's "F" format
    // since .NET Core 3.0 (Math.Round(x, n) would not: it scales by 10^n first).
    private static string Fixed(double value, int digits) =>
        value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
