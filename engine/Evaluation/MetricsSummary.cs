namespace PruneCluster.Engine.Evaluation;

/// <summary>The part of test.py after the image loop: concatenate the statistics, ap_per_class, means and maps.</summary>
internal static class MetricsSummary
{
    public static DetectionMetrics Summarise(IReadOnlyList<ImageStatistics> statistics, int classCount, int imageCount)
    {
        // test.py skips images that have neither predictions nor labels (no stats entry); concatenating is then
        // the same as walking every image.
        var scored = statistics.Where(s => s.Confidence.Length > 0 || s.TargetClass.Length > 0).ToArray();
        var thresholds = DetectionMatcher.IouThresholds.Count;
        var n = scored.Sum(s => s.Confidence.Length);
        var tp = new bool[n, thresholds];
        var row = 0;
        foreach (var s in scored)
            for (var i = 0; i < s.Confidence.Length; i++, row++)
                for (var t = 0; t < thresholds; t++)
                    tp[row, t] = s.Correct[i, t];
        var confidence = scored.SelectMany(s => s.Confidence).ToArray();
        var predictedClass = scored.SelectMany(s => s.PredictedClass).ToArray();
        var targetClass = scored.SelectMany(s => s.TargetClass).ToArray();

        var nt = new long[classCount];
        foreach (var c in targetClass)
            nt[c]++;

        // test.py computes nothing unless at least one prediction is a true positive; all metrics stay 0 then.
        // (It also prints 0 labels in that case; we keep the real label counts, which are more useful.)
        if (!tp.Cast<bool>().Any(x => x))
            return new DetectionMetrics(0, 0, 0, 0, new double[classCount], [], [], [], [], [], nt, imageCount);

        var result = AveragePrecision.ApPerClass(tp, confidence, predictedClass, targetClass);
        var classes = result.Classes.Length;
        var ap50 = new double[classes];
        var ap = new double[classes];
        var row10 = new double[thresholds];
        for (var ci = 0; ci < classes; ci++)
        {
            ap50[ci] = result.Ap[ci, 0];
            for (var t = 0; t < thresholds; t++)
                row10[t] = result.Ap[ci, t];
            ap[ci] = NumPyCompat.Mean(row10);
        }
        var map = NumPyCompat.Mean(ap);
        var maps = Enumerable.Repeat(map, classCount).ToArray();
        for (var ci = 0; ci < classes; ci++)
            maps[result.Classes[ci]] = ap[ci];

        return new DetectionMetrics(
            NumPyCompat.Mean(result.Precision),
            NumPyCompat.Mean(result.Recall),
            NumPyCompat.Mean(ap50),
            map,
            maps,
            result.Classes,
            result.Precision,
            result.Recall,
            ap50,
            ap,
            nt,
            imageCount);
    }
}
