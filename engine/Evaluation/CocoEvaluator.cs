namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// COCO-style evaluation exactly as pycocotools' <c>COCOeval(gt, dt, 'bbox')</c> with its default parameters runs
/// <c>evaluate()</c>, <c>accumulate()</c> and <c>summarize()</c>: per image and category greedy matching at IoU
/// 0.50:0.05:0.95 (crowd regions and out-of-range objects ignored), 101-point interpolated precision, the twelve
/// summary stats. A second opinion beside YOLOv7's test.py metrics, which match and interpolate differently.
/// </summary>
public static class CocoEvaluator
{
    /// <param name="images">The images to evaluate (pycocotools' <c>params.imgIds</c>); ids must be distinct.</param>
    /// <param name="categoryIds">Every category of the ground truth (<c>getCatIds()</c>), present in an image or not;
    /// detections and annotations of other categories are left out, as pycocotools' <c>getAnnIds(catIds=...)</c> does.</param>
    public static CocoMetrics Evaluate(IReadOnlyList<CocoImage> images, IReadOnlyList<int> categoryIds)
    {
        var ordered = images.OrderBy(i => i.Id).ToList();
        for (var i = 1; i < ordered.Count; i++)
            if (ordered[i].Id == ordered[i - 1].Id)
                throw new ArgumentException($"image id {ordered[i].Id} appears twice; merge its detections into one image", nameof(images));
        var categories = categoryIds.Distinct().Order().ToArray();
        var categoryIndex = categories.Select((c, k) => (c, k)).ToDictionary(p => p.c, p => p.k);
        var areas = CocoParameters.AreaRanges;
        var maxDets = CocoParameters.MaxDets[^1];

        var matches = new CocoImageMatch?[categories.Length, areas.Length, ordered.Count];
        for (var i = 0; i < ordered.Count; i++)
        {
            var image = ordered[i];
            var groundTruth = ByCategory(image.GroundTruth, g => g.CategoryId, categoryIndex);
            var detections = ByCategory(image.Detections, d => d.CategoryId, categoryIndex);
            for (var k = 0; k < categories.Length; k++)
            {
                var gt = groundTruth[k] ?? [];
                var dt = detections[k] ?? [];
                if (gt.Count == 0 && dt.Count == 0)
                    continue; // evaluateImg returns None
                var sorted = CocoMatcher.SortAndCut(dt, maxDets);
                var ious = CocoMatcher.Ious(sorted, gt);
                for (var a = 0; a < areas.Length; a++)
                    matches[k, a, i] = CocoMatcher.Evaluate(gt, sorted, ious, areas[a]);
            }
        }

        var accumulation = CocoAccumulation.Accumulate(matches);
        return CocoMetrics.FromStats(CocoSummary.Entries.Select(e => Summarize(accumulation, e)).ToList()) with
        {
            Images = ordered.Count,
            Annotations = ordered.Sum(i => i.GroundTruth.Count(g => categoryIndex.ContainsKey(g.CategoryId))),
            Detections = ordered.Sum(i => i.Detections.Count(d => categoryIndex.ContainsKey(d.CategoryId))),
        };
    }

    // _summarize: the mean of every entry > -1 of the selected slice, in NumPy's C order (IoU, recall, category for
    // precision; IoU, category for recall) and with NumPy's summation, so the mean rounds identically.
    private static double Summarize(CocoAccumulation accumulation,
        (bool Precision, double? IouThreshold, string Area, int MaxDets) entry)
    {
        var thresholds = CocoParameters.IouThresholds;
        var t = Enumerable.Range(0, thresholds.Length).Where(i => entry.IouThreshold is not { } iou || thresholds[i] == iou).ToArray();
        var a = Array.FindIndex(CocoParameters.AreaRanges, r => r.Label == entry.Area);
        var m = Array.IndexOf(CocoParameters.MaxDets, entry.MaxDets);
        var values = new List<double>();
        foreach (var ti in t)
        {
            if (entry.Precision)
            {
                for (var r = 0; r < CocoParameters.RecallThresholds.Length; r++)
                    for (var k = 0; k < accumulation.Categories; k++)
                        values.Add(accumulation.Precision(ti, r, k, a, m));
            }
            else
            {
                for (var k = 0; k < accumulation.Categories; k++)
                    values.Add(accumulation.Recall(ti, k, a, m));
            }
        }
        var kept = values.Where(v => v > -1).ToArray();
        return kept.Length == 0 ? -1 : NumPyCompat.Mean(kept);
    }

    private static List<T>?[] ByCategory<T>(IEnumerable<T> items, Func<T, int> category, Dictionary<int, int> categoryIndex)
    {
        var lists = new List<T>?[categoryIndex.Count];
        foreach (var item in items)
            if (categoryIndex.TryGetValue(category(item), out var k))
                (lists[k] ??= []).Add(item);
        return lists;
    }
}
