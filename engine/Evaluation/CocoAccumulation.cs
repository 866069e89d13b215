namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// pycocotools' <c>accumulate()</c>: for every IoU threshold, category, area range and maxDets, the precision at the
/// 101 recall points and the final recall, -1 where the category has no (non-ignored) ground truth.
/// </summary>
internal sealed class CocoAccumulation
{
    private readonly double[] _precision; // [T, R, K, A, M]
    private readonly double[] _recall; // [T, K, A, M]

    private CocoAccumulation(int categories)
    {
        Categories = categories;
        _precision = new double[T * R * categories * A * M];
        _recall = new double[T * categories * A * M];
        Array.Fill(_precision, -1);
        Array.Fill(_recall, -1);
    }

    private static int T => CocoParameters.IouThresholds.Length;

    private static int R => CocoParameters.RecallThresholds.Length;

    private static int A => CocoParameters.AreaRanges.Length;

    private static int M => CocoParameters.MaxDets.Length;

    public int Categories { get; }

    public double Precision(int t, int r, int k, int a, int m) => _precision[(((t * R + r) * Categories + k) * A + a) * M + m];

    public double Recall(int t, int k, int a, int m) => _recall[((t * Categories + k) * A + a) * M + m];

    /// <param name="matches">[K, A, images in ascending id order]: evaluateImg's result, null where the image has neither ground truth nor detections of the category.</param>
    public static CocoAccumulation Accumulate(CocoImageMatch?[,,] matches)
    {
        var result = new CocoAccumulation(matches.GetLength(0));
        for (var k = 0; k < result.Categories; k++)
            for (var a = 0; a < A; a++)
                for (var m = 0; m < M; m++)
                    result.Accumulate(matches, k, a, m);
        return result;
    }

    private void Accumulate(CocoImageMatch?[,,] matches, int k, int a, int m)
    {
        var maxDet = CocoParameters.MaxDets[m];
        var entries = Enumerable.Range(0, matches.GetLength(2)).Select(i => matches[k, a, i]).OfType<CocoImageMatch>().ToList();
        if (entries.Count == 0)
            return;

        // Each image's first maxDet detections, concatenated in image order, then sorted by score (stable, like mergesort).
        var scores = new List<double>();
        var matched = Enumerable.Range(0, T).Select(_ => new List<bool>()).ToArray();
        var ignored = Enumerable.Range(0, T).Select(_ => new List<bool>()).ToArray();
        var relevant = 0;
        foreach (var e in entries)
        {
            var count = Math.Min(maxDet, e.Scores.Length);
            scores.AddRange(e.Scores.Take(count));
            for (var t = 0; t < T; t++)
                for (var d = 0; d < count; d++)
                {
                    matched[t].Add(e.Matched[t, d]);
                    ignored[t].Add(e.Ignored[t, d]);
                }
            relevant += e.GroundTruthIgnored.Count(ig => !ig);
        }
        // No ground truth to find: precision and recall stay -1 and the category drops out of the means.
        if (relevant == 0)
            return;
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => -scores[i]).ToArray();
        var nd = order.Length;

        for (var t = 0; t < T; t++)
        {
            var recall = new double[nd];
            var precision = new double[nd];
            double tp = 0, fp = 0;
            for (var j = 0; j < nd; j++)
            {
                var i = order[j];
                if (!ignored[t][i])
                {
                    if (matched[t][i])
                        tp++;
                    else
                        fp++;
                }
                recall[j] = tp / relevant;
                precision[j] = tp / (fp + tp + CocoParameters.Spacing1);
            }
            _recall[((t * Categories + k) * A + a) * M + m] = nd > 0 ? recall[nd - 1] : 0;

            // Precision made non-increasing from the right, then read at the first detection reaching each recall
            // point (searchsorted 'left'); recall points beyond the last one keep precision 0.
            for (var i = nd - 1; i > 0; i--)
                if (precision[i] > precision[i - 1])
                    precision[i - 1] = precision[i];
            var recallThresholds = CocoParameters.RecallThresholds;
            for (var r = 0; r < R; r++)
            {
                var p = SearchSortedLeft(recall, recallThresholds[r]);
                _precision[(((t * R + r) * Categories + k) * A + a) * M + m] = p < nd ? precision[p] : 0;
            }
        }
    }

    // np.searchsorted(sorted, value, side='left'): the first index whose value is >= value.
    private static int SearchSortedLeft(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (sorted[mid] < value)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }
}
