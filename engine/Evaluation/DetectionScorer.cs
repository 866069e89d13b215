using System.Diagnostics;
using PruneCluster.Engine.Data;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// test.py's per-batch work after the forward pass: NMS on the decoded head output, predictions and labels scaled
/// back to original-image pixels (scale_coords with the batch's shapes), each image added to a
/// <see cref="MetricsAccumulator"/>. It does not care where the predictions came from, so a sensitivity analysis
/// can score many model variants on the same batch, one accumulator per variant.
/// <para>
/// <see cref="AddBatch"/> may be called from several threads at once as long as each call has its own accumulator;
/// <see cref="NmsTime"/> then sums the NMS time of all calls.
/// </para>
/// </summary>
public sealed class DetectionScorer(NmsOptions? nms = null)
{
    private long _nmsTicks;

    /// <summary>The NMS settings (test.py's conf 0.001, IoU 0.65, multi-label by default).</summary>
    public NmsOptions Nms { get; } = nms ?? NmsOptions.ForTest;

    /// <summary>Total time spent in NMS by every <see cref="AddBatch"/> call so far (test.py's <c>t1</c>).</summary>
    public TimeSpan NmsTime => TimeSpan.FromTicks(Interlocked.Read(ref _nmsTicks));

    /// <summary>
    /// Scores one batch and returns how long its NMS took.
    /// </summary>
    /// <param name="predictions">The model's decoded output for <paramref name="batch"/>: [Count, anchors, 5 + nc], any device.</param>
    /// <param name="batch">The batch the predictions were made for (its images' shapes and labels).</param>
    /// <param name="accumulator">Receives the batch's images, in batch order; its class count must be the predictions' nc.</param>
    public TimeSpan AddBatch(Tensor predictions, ValidationBatch batch, MetricsAccumulator accumulator) =>
        AddBatch([predictions], batch, accumulator);

    /// <summary>
    /// <see cref="AddBatch(Tensor, ValidationBatch, MetricsAccumulator)"/> for predictions given as parts whose
    /// concatenation along dim 1 is the decoded output (one per detection level, see <c>DetectHead.DecodeLevel</c>).
    /// </summary>
    public TimeSpan AddBatch(IReadOnlyList<Tensor> levels, ValidationBatch batch, MetricsAccumulator accumulator)
    {
        if (levels.Count == 0 || levels.Any(l => l.dim() != 3 || l.shape[0] != batch.Count || l.shape[2] != levels[0].shape[2]))
            throw new ArgumentException(
                $"predictions must be [{batch.Count}, anchors, 5 + nc] for batch {batch.Index}, got [{string.Join("] + [", levels.Select(l => string.Join(", ", l.shape)))}]",
                nameof(levels));
        var classes = levels[0].shape[2] - 5;
        if (classes != accumulator.ClassCount)
            throw new ArgumentException(
                $"predictions carry {classes} classes but the accumulator scores {accumulator.ClassCount}", nameof(accumulator));

        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        var detections = NonMaxSuppression.Apply(levels, Nms);
        var nmsTime = clock.Elapsed;
        Interlocked.Add(ref _nmsTicks, nmsTime.Ticks);

        for (var i = 0; i < batch.Count; i++)
        {
            var image = batch.Images[i];
            accumulator.AddImage(ToOriginalPredictions(detections[i], image), ToOriginalLabels(image), image.Path);
        }
        return nmsTime;
    }

    /// <summary>
    /// NMS output of one image ([n, 6] x1, y1, x2, y2, conf, cls in letterboxed pixels) with the boxes in original
    /// pixels, as test.py's <c>predn</c>. Scaling is float32 like the tensor test.py scales; conf and cls are unchanged.
    /// </summary>
    public static double[,] ToOriginalPredictions(Tensor detections, ValidationImage image)
    {
        var n = detections.numel() == 0 ? 0 : (int)detections.shape[0];
        var rows = new double[n, 6];
        if (n == 0)
            return rows;
        float[] values;
        using (NewDisposeScope())
            values = detections.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        for (var r = 0; r < n; r++)
        {
            var v = values.AsSpan(r * 6, 6);
            var (x1, y1, x2, y2) = image.ToOriginal(v[0], v[1], v[2], v[3]);
            (rows[r, 0], rows[r, 1], rows[r, 2], rows[r, 3], rows[r, 4], rows[r, 5]) = (x1, y1, x2, y2, v[4], v[5]);
        }
        return rows;
    }

    /// <summary>The image's labels as test.py's <c>tbox</c> after scale_coords: [m, 5] cls, x1, y1, x2, y2 in original pixels.</summary>
    public static double[,] ToOriginalLabels(ValidationImage image)
    {
        var rows = new double[image.Labels.Count, 5];
        for (var r = 0; r < image.Labels.Count; r++)
        {
            var label = image.Labels[r];
            var (x1, y1, x2, y2) = image.ToOriginal(label.X1, label.Y1, label.X2, label.Y2);
            (rows[r, 0], rows[r, 1], rows[r, 2], rows[r, 3], rows[r, 4]) = (label.Class, x1, y1, x2, y2);
        }
        return rows;
    }
}
