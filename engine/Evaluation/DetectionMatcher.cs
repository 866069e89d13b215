namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// The per-image matching loop of YOLOv7's test.py: which predictions count as true positives at each IoU
/// threshold 0.50:0.05:0.95. Deliberately the reference's algorithm, not a "better" one: each prediction is judged
/// only by its best-IoU label of its class, a label is claimed by the first (highest-confidence) prediction whose
/// best IoU exceeds 0.5, and that prediction's whole threshold row is decided by that one IoU.
/// </summary>
public static class DetectionMatcher
{
    /// <summary>torch.linspace(0.5, 0.95, 10) in float32, as test.py's <c>iouv</c>.</summary>
    public static IReadOnlyList<float> IouThresholds { get; } =
        [0.5f, 0.55f, 0.6f, 0.65f, 0.7f, 0.75f, 0.8f, 0.85f, 0.9f, 0.95f];

    /// <summary>
    /// Marks each prediction correct or not at each IoU threshold.
    /// </summary>
    /// <param name="predictions">[n, 6] rows x1, y1, x2, y2, conf, cls in pixels, sorted by confidence (NMS order).</param>
    /// <param name="labels">[m, 5] rows cls, x1, y1, x2, y2 in the same pixel space.</param>
    /// <param name="dtype">Tensor dtype of the IoU computation (float32 rounds the boxes first).</param>
    /// <returns>[n, 10] true-positive flags.</returns>
    public static bool[,] Match(double[,] predictions, double[,] labels, DetectionDType dtype = DetectionDType.Float32)
    {
        RequireColumns(predictions, 6, "predictions");
        RequireColumns(labels, 5, "labels");
        var n = predictions.GetLength(0);
        var m = labels.GetLength(0);
        var thresholds = IouThresholds.Count;
        var correct = new bool[n, thresholds];
        if (n == 0 || m == 0)
            return correct;

        var detected = 0;
        var labelClasses = Enumerable.Range(0, m).Select(i => labels[i, 0]).Distinct().Order();
        foreach (var cls in labelClasses)
        {
            var targets = Enumerable.Range(0, m).Where(i => labels[i, 0] == cls).ToArray();
            var candidates = Enumerable.Range(0, n).Where(i => predictions[i, 5] == cls).ToArray();
            if (candidates.Length == 0)
                continue;

            // Each label of this class may be claimed once, by the first candidate (in confidence order) whose
            // best IoU exceeds the lowest threshold and points at it.
            var claimed = new HashSet<int>();
            foreach (var pred in candidates)
            {
                var (bestIou, bestTarget) = BestIou(predictions, pred, labels, targets, dtype);
                if (!(bestIou > IouThresholds[0]) || !claimed.Add(bestTarget))
                    continue;
                detected++;
                for (var t = 0; t < thresholds; t++)
                    correct[pred, t] = bestIou > IouThresholds[t];
                if (detected == m)
                    return correct; // every label of the image is taken
            }
        }
        return correct;
    }

    // box_iou(pred, tbox).max(1) for one prediction: the first label with the highest IoU wins ties, like torch.max.
    private static (double Iou, int Target) BestIou(double[,] predictions, int pred, double[,] labels, int[] targets, DetectionDType dtype)
    {
        var best = double.NegativeInfinity;
        var bestTarget = targets[0];
        foreach (var target in targets)
        {
            var iou = dtype == DetectionDType.Float32
                ? BoxIou.Float32(predictions[pred, 0], predictions[pred, 1], predictions[pred, 2], predictions[pred, 3],
                    labels[target, 1], labels[target, 2], labels[target, 3], labels[target, 4])
                : BoxIou.Float64(predictions[pred, 0], predictions[pred, 1], predictions[pred, 2], predictions[pred, 3],
                    labels[target, 1], labels[target, 2], labels[target, 3], labels[target, 4]);
            if (iou > best || double.IsNaN(iou) && !double.IsNaN(best))
            {
                best = iou;
                bestTarget = target;
            }
        }
        return (best, bestTarget);
    }

    private static void RequireColumns(double[,] rows, int columns, string what)
    {
        if (rows.GetLength(0) > 0 && rows.GetLength(1) != columns)
            throw new ArgumentException($"{what} must have {columns} columns per row, got {rows.GetLength(1)}");
    }
}
