namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// YOLOv7's <c>ap_per_class</c> / <c>compute_ap</c> (<c>v5_metric=False</c>, 101-point interpolation) in double
/// precision, step by step like the NumPy original so that results agree to ~1e-15.
/// </summary>
public static class AveragePrecision
{
    private const int CurvePoints = 1000;

    /// <summary>
    /// Per-class AP, P, R and F1 from the per-prediction true-positive matrix.
    /// </summary>
    /// <param name="truePositives">[predictions, IoU thresholds] from the per-image matching.</param>
    /// <param name="confidence">Confidence of each prediction.</param>
    /// <param name="predictedClass">Class of each prediction.</param>
    /// <param name="targetClass">Class of every label of every image.</param>
    public static ApPerClassResult ApPerClass(bool[,] truePositives, double[] confidence, int[] predictedClass, int[] targetClass)
    {
        var n = confidence.Length;
        if (truePositives.GetLength(0) != n || predictedClass.Length != n)
            throw new ArgumentException(
                $"ap_per_class needs one row per prediction: tp has {truePositives.GetLength(0)} rows, conf {n}, classes {predictedClass.Length}");
        var thresholds = truePositives.GetLength(1);

        // np.argsort(-conf): a stable sort keeps equal confidences in input order (NumPy's quicksort does not
        // promise any order for ties; stable is the reproducible choice).
        var order = Enumerable.Range(0, n).OrderBy(i => -confidence[i]).ToArray();

        var classes = targetClass.Distinct().Order().ToArray();
        var px = NumPyCompat.Linspace(0, 1, CurvePoints);
        var negativePx = px.Select(v => -v).ToArray();
        var ap = new double[classes.Length, thresholds];
        var p = new double[classes.Length][];
        var r = new double[classes.Length][];

        for (var ci = 0; ci < classes.Length; ci++)
        {
            p[ci] = new double[CurvePoints];
            r[ci] = new double[CurvePoints];
            var c = classes[ci];
            var rows = order.Where(i => predictedClass[i] == c).ToArray();
            var labelCount = targetClass.Count(t => t == c);
            if (rows.Length == 0 || labelCount == 0)
                continue;

            var (recall, precision) = Curves(truePositives, rows, labelCount);
            // Confidences decrease along the curve; np.interp needs increasing xp, hence the negated axes.
            var negativeConf = rows.Select(i => -confidence[i]).ToArray();
            r[ci] = NumPyCompat.Interp(negativePx, negativeConf, recall[0], left: 0);
            p[ci] = NumPyCompat.Interp(negativePx, negativeConf, precision[0], left: 1);
            for (var t = 0; t < thresholds; t++)
                ap[ci, t] = ComputeAp(recall[t], precision[t]);
        }

        var f1 = new double[classes.Length][];
        for (var ci = 0; ci < classes.Length; ci++)
        {
            f1[ci] = new double[CurvePoints];
            for (var k = 0; k < CurvePoints; k++)
                f1[ci][k] = 2 * p[ci][k] * r[ci][k] / (p[ci][k] + r[ci][k] + 1e-16);
        }
        var best = MaxMeanF1Index(f1);
        return new ApPerClassResult(
            classes,
            p.Select(row => row[best]).ToArray(),
            r.Select(row => row[best]).ToArray(),
            f1.Select(row => row[best]).ToArray(),
            ap);
    }

    /// <summary>
    /// <c>compute_ap</c>: sentinels (recall 0 → precision 1, last recall + 0.01 → precision 0), the monotone
    /// precision envelope, then the 101-point interpolated area (COCO style) integrated with the trapezoid rule.
    /// </summary>
    public static double ComputeAp(ReadOnlySpan<double> recall, ReadOnlySpan<double> precision)
    {
        if (recall.Length == 0 || recall.Length != precision.Length)
            throw new ArgumentException($"compute_ap needs equally long, non-empty curves (got {recall.Length} and {precision.Length})");
        var m = recall.Length + 2;
        var mrec = new double[m];
        var mpre = new double[m];
        mrec[0] = 0.0;
        mpre[0] = 1.0;
        recall.CopyTo(mrec.AsSpan(1));
        precision.CopyTo(mpre.AsSpan(1));
        mrec[m - 1] = recall[^1] + 0.01;
        mpre[m - 1] = 0.0;

        for (var k = m - 2; k >= 0; k--)
            mpre[k] = Math.Max(mpre[k], mpre[k + 1]);

        var x = NumPyCompat.Linspace(0, 1, 101);
        return NumPyCompat.Trapz(NumPyCompat.Interp(x, mrec, mpre), x);
    }

    // Cumulative TP/FP counts down the confidence-sorted predictions of one class, per IoU threshold.
    private static (double[][] Recall, double[][] Precision) Curves(bool[,] truePositives, int[] rows, int labelCount)
    {
        var thresholds = truePositives.GetLength(1);
        var recall = new double[thresholds][];
        var precision = new double[thresholds][];
        for (var t = 0; t < thresholds; t++)
        {
            recall[t] = new double[rows.Length];
            precision[t] = new double[rows.Length];
            long tpc = 0, fpc = 0;
            for (var k = 0; k < rows.Length; k++)
            {
                if (truePositives[rows[k], t])
                    tpc++;
                else
                    fpc++;
                recall[t][k] = tpc / (labelCount + 1e-16);
                precision[t][k] = (double)tpc / (tpc + fpc);
            }
        }
        return (recall, precision);
    }

    // f1.mean(0).argmax(): NumPy reduces over the class axis row by row; argmax takes the first maximum.
    private static int MaxMeanF1Index(double[][] f1)
    {
        var best = 0;
        var bestValue = double.NegativeInfinity;
        for (var k = 0; k < CurvePoints; k++)
        {
            var sum = 0.0;
            foreach (var row in f1)
                sum += row[k];
            var mean = sum / f1.Length;
            if (mean > bestValue || double.IsNaN(mean) && !double.IsNaN(bestValue))
            {
                best = k;
                bestValue = mean;
            }
        }
        return best;
    }
}
