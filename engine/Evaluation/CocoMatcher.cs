using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// pycocotools' <c>computeIoU</c> and <c>evaluateImg</c> for iouType 'bbox' (cocoapi <c>PythonAPI/pycocotools/cocoeval.py</c>,
/// IoU from <c>common/maskApi.c</c> <c>bbIou</c>), statement by statement, in double like the reference.
/// </summary>
internal static class CocoMatcher
{
    /// <summary>
    /// bbIou for one pair: intersection over union, or over the detection's own area when the ground truth is a crowd
    /// region (a detection inside a crowd box has IoU 1 however small it is). No overlap gives 0.
    /// </summary>
    public static double Iou(in CocoDetection d, in CocoAnnotation g)
    {
        var w = Math.Min(d.Width + d.X, g.Width + g.X) - Math.Max(d.X, g.X);
        if (w <= 0)
            return 0;
        var h = Math.Min(d.Height + d.Y, g.Height + g.Y) - Math.Max(d.Y, g.Y);
        if (h <= 0)
            return 0;
        var intersection = w * h;
        var detectionArea = d.Width * d.Height;
        var union = g.IsCrowd ? detectionArea : detectionArea + g.Width * g.Height - intersection;
        return intersection / union;
    }

    /// <summary>computeIoU: [D, G] with the detections already sorted and cut, the ground truth in its given order; null when either is empty.</summary>
    public static double[,]? Ious(IReadOnlyList<CocoDetection> detections, IReadOnlyList<CocoAnnotation> groundTruth)
    {
        if (detections.Count == 0 || groundTruth.Count == 0)
            return null;
        var ious = new double[detections.Count, groundTruth.Count];
        for (var d = 0; d < detections.Count; d++)
            for (var g = 0; g < groundTruth.Count; g++)
                ious[d, g] = Iou(detections[d], groundTruth[g]);
        return ious;
    }

    /// <summary>
    /// Detections of one image and category as computeIoU and evaluateImg take them: sorted by score, highest first,
    /// ties in given order (<c>np.argsort(-score, kind='mergesort')</c>), cut to <paramref name="maxDets"/>.
    /// </summary>
    public static CocoDetection[] SortAndCut(IEnumerable<CocoDetection> detections, int maxDets) =>
        detections.OrderBy(d => -d.Score).Take(maxDets).ToArray();

    /// <summary>evaluateImg for one area range (greedy matching at each IoU threshold).</summary>
    /// <param name="groundTruth">The image's annotations of the category, in json order.</param>
    /// <param name="detections">From <see cref="SortAndCut"/>.</param>
    /// <param name="ious">From <see cref="Ious"/> for exactly these lists.</param>
    public static CocoImageMatch Evaluate(IReadOnlyList<CocoAnnotation> groundTruth, IReadOnlyList<CocoDetection> detections,
        double[,]? ious, CocoAreaRange range)
    {
        var thresholds = CocoParameters.IouThresholds;
        var (t, d, g) = (thresholds.Length, detections.Count, groundTruth.Count);

        // Crowd regions and objects outside the area range are ignored; ignored ground truth goes last (stable).
        var order = Enumerable.Range(0, g).OrderBy(i => IsIgnored(groundTruth[i], range) ? 1 : 0).ToArray();
        var gtIgnored = order.Select(i => IsIgnored(groundTruth[i], range)).ToArray();
        var crowd = order.Select(i => groundTruth[i].IsCrowd).ToArray();

        var matchedId = new long[t, d];
        var ignored = new bool[t, d];
        var taken = new bool[t, g];
        if (ious is not null)
        {
            for (var ti = 0; ti < t; ti++)
            {
                for (var di = 0; di < d; di++)
                {
                    var best = Math.Min(thresholds[ti], CocoParameters.MaxStartIou);
                    var m = -1;
                    for (var gi = 0; gi < g; gi++)
                    {
                        // A taken ground truth is skipped unless it is a crowd region (which absorbs any number).
                        if (taken[ti, gi] && !crowd[gi])
                            continue;
                        // Once matched to a real object, ignored ones (sorted last) cannot take the detection away.
                        if (m > -1 && !gtIgnored[m] && gtIgnored[gi])
                            break;
                        // ">=": among equal IoUs the later ground truth wins.
                        if (ious[di, order[gi]] < best)
                            continue;
                        best = ious[di, order[gi]];
                        m = gi;
                    }
                    if (m == -1)
                        continue;
                    ignored[ti, di] = gtIgnored[m];
                    matchedId[ti, di] = groundTruth[order[m]].Id;
                    taken[ti, m] = true;
                }
            }
        }

        // pycocotools tests dtm (the matched ground truth's id) for truth: a match to annotation id 0 counts as none.
        var matched = new bool[t, d];
        for (var di = 0; di < d; di++)
        {
            var outside = range.Excludes(detections[di].Area);
            for (var ti = 0; ti < t; ti++)
            {
                matched[ti, di] = matchedId[ti, di] != 0;
                // Unmatched detections outside the area range do not count against it.
                ignored[ti, di] |= !matched[ti, di] && outside;
            }
        }
        return new CocoImageMatch(detections.Select(x => x.Score).ToArray(), matched, ignored, gtIgnored);
    }

    private static bool IsIgnored(in CocoAnnotation g, CocoAreaRange range) => g.IsCrowd || range.Excludes(g.Area);
}
