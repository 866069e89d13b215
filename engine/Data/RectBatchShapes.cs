namespace PruneCluster.Engine.Data;

/// <summary>
/// YOLOv7's rectangular batches (rect=True): images sorted by aspect ratio h/w, cut into batches of batchSize, and
/// each batch gets one network input shape that fits its most extreme aspect ratio.
/// </summary>
public static class RectBatchShapes
{
    /// <summary>
    /// Image indices sorted by h/w. YOLOv7 uses numpy's argsort (quicksort, not stable, and its tie order differs
    /// between numpy builds); this sort is stable so ties keep the sorted-path order. Ties have the same aspect
    /// ratio, so they can only swap places and never change a batch's shape.
    /// </summary>
    public static int[] SortOrder(IReadOnlyList<(int Height, int Width)> shapes) =>
        Enumerable.Range(0, shapes.Count).OrderBy(i => AspectRatio(shapes[i])).ToArray();

    public static double AspectRatio((int Height, int Width) shape) => (double)shape.Height / shape.Width;

    /// <summary>
    /// Per batch of the sorted ratios: [h, w] = [maxi, 1] if all are wide (maxi &lt; 1), [1, 1/mini] if all are
    /// tall (mini &gt; 1), else [1, 1]; then ceil([h, w] * imgSize / stride + pad) * stride.
    /// </summary>
    public static (int Height, int Width)[] Compute(IReadOnlyList<double> sortedAspectRatios, int batchSize, int imgSize,
        int stride, double pad)
    {
        var batchCount = (sortedAspectRatios.Count + batchSize - 1) / batchSize;
        var shapes = new (int, int)[batchCount];
        for (var b = 0; b < batchCount; b++)
        {
            var ratios = sortedAspectRatios.Skip(b * batchSize).Take(batchSize).ToList();
            var (mini, maxi) = (ratios.Min(), ratios.Max());
            var (h, w) = maxi < 1 ? (maxi, 1.0) : mini > 1 ? (1.0, 1 / mini) : (1.0, 1.0);
            shapes[b] = (Side(h, imgSize, stride, pad), Side(w, imgSize, stride, pad));
        }
        return shapes;
    }

    private static int Side(double relative, int imgSize, int stride, double pad) =>
        (int)Math.Ceiling(relative * imgSize / stride + pad) * stride;
}
