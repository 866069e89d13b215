using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// YOLOv7's <c>utils.general.non_max_suppression</c> (merge = False) on decoded head outputs, with the NMS kernel of
/// torchvision's CPU <c>ops.nms</c>. Everything runs in float32 like the reference, including the confidence
/// comparisons (torch compares a float32 tensor with a Python float in float32). Equal scores keep their input order
/// everywhere; the reference's max_nms cut uses an unstable argsort, so when more than max_nms candidates remain and
/// scores tie across the cut, which of them it keeps is up to torch's sort implementation.
/// </summary>
/// <remarks>
/// The TorchVision 0.107 NuGet package's <c>ops.nms</c> is not used: it is a loop of tensor operations that compares
/// IoU with the threshold in float32 (so at threshold 0.3 it keeps a box whose float IoU is 0.30000001, which
/// torchvision suppresses), and here it did not finish within several minutes on the 30,000 candidates that test.py's
/// conf 0.001 can produce.
/// </remarks>
public static class NonMaxSuppression
{
    /// <summary>
    /// Filters, thresholds and suppresses raw detections.
    /// </summary>
    /// <param name="prediction">[batch, anchors, 5 + nc]: cx, cy, w, h (pixels), objectness, class scores.</param>
    /// <param name="options">Thresholds and limits; null uses the reference function's defaults.</param>
    /// <returns>Per image a float32 [n, 6] tensor x1, y1, x2, y2, conf, cls, best score first, on the input's device.</returns>
    public static Tensor[] Apply(Tensor prediction, NmsOptions? options = null) => Apply([prediction], options);

    /// <summary>
    /// <see cref="Apply(Tensor, NmsOptions?)"/> on the concatenation along dim 1 of <paramref name="levels"/>
    /// ([batch, anchors_i, 5 + nc] each, e.g. one per detection level), without concatenating them.
    /// </summary>
    public static Tensor[] Apply(IReadOnlyList<Tensor> levels, NmsOptions? options = null)
    {
        options ??= new NmsOptions();
        // Python would slice from the end with a negative max_det or max_nms; nobody means that.
        if (options.MaxDetections < 0 || options.MaxNmsBoxes < 0)
            throw new ArgumentException($"max_det and max_nms must be at least 0, got {options.MaxDetections} and {options.MaxNmsBoxes}", nameof(options));
        if (levels.Count == 0)
            throw new ArgumentException("prediction has no levels", nameof(levels));
        foreach (var level in levels)
            if (level.dim() != 3 || level.shape[2] < 6 || level.shape[0] != levels[0].shape[0] || level.shape[2] != levels[0].shape[2])
                throw new ArgumentException(
                    $"prediction must be [batch, anchors, 5 + classes], got [{string.Join("] + [", levels.Select(l => string.Join(", ", l.shape)))}]", nameof(levels));
        var (batch, width, device) = ((int)levels[0].shape[0], (int)levels[0].shape[2], levels[0].device);
        // Read in place, one image at a time: an untrained 80-class batch is hundreds of MB of scores (copying it cost
        // more than NMS), and a whole batch can exceed the 2 GiB a span can address.
        using var scope = NewDisposeScope();
        var values = levels.Select(l => l.detach().cpu().to_type(ScalarType.Float32).contiguous()).ToList();

        var clock = Stopwatch.StartNew();
        var outputs = new Tensor[batch];
        var image = 0;
        for (; image < batch; image++)
        {
            float[] rows;
            using (NewDisposeScope())
                rows = ImageDetections(new AnchorRows(values.Select(v => v[image]).ToList(), width), options);
            outputs[image] = torch.tensor(rows, [rows.Length / 6, 6], device: device).MoveToOuterDisposeScope();
            if (options.TimeLimit is { } limit && clock.Elapsed > limit)
            {
                image++;
                break;
            }
        }
        for (; image < batch; image++)
            outputs[image] = torch.zeros(0, 6, device: device).MoveToOuterDisposeScope();
        return outputs;
    }

    /// <summary>
    /// torchvision's <c>ops.nms</c> (CPU kernel): greedy suppression in order of decreasing score, dropping boxes
    /// whose IoU with a kept box is greater than <paramref name="iouThreshold"/>. Equal scores keep their input
    /// order (stable sort).
    /// </summary>
    /// <param name="boxes">[n, 4] float32 x1, y1, x2, y2.</param>
    /// <param name="scores">[n] float32 scores.</param>
    /// <param name="iouThreshold">IoU above which a box is suppressed.</param>
    /// <returns>int64 indices of the kept boxes, by decreasing score.</returns>
    public static Tensor Nms(Tensor boxes, Tensor scores, double iouThreshold)
    {
        if (boxes.dim() != 2 || boxes.shape[1] != 4 || scores.dim() != 1 || scores.shape[0] != boxes.shape[0])
            throw new ArgumentException(
                $"nms needs boxes [n, 4] and scores [n], got [{string.Join(", ", boxes.shape)}] and [{string.Join(", ", scores.shape)}]");
        // YOLOv7 heads produce float32; the kernel rounds like torchvision's float instantiation only.
        if (boxes.dtype != ScalarType.Float32 || scores.dtype != ScalarType.Float32)
            throw new ArgumentException($"nms needs float32 boxes and scores, got {boxes.dtype} and {scores.dtype}");
        long[] keep;
        using (NewDisposeScope())
            keep = Nms(Values(boxes), Values(scores), iouThreshold);
        return torch.tensor(keep, ScalarType.Int64, device: boxes.device);
    }

    /// <summary>
    /// The NMS kernel on flat arrays: <paramref name="boxes"/> holds n·4 values x1, y1, x2, y2. Stopping after
    /// <paramref name="maxKeep"/> kept boxes gives exactly the first <paramref name="maxKeep"/> indices of a full run,
    /// because a box's fate depends only on the better-scoring boxes before it.
    /// </summary>
    public static long[] Nms(ReadOnlySpan<float> boxes, ReadOnlySpan<float> scores, double iouThreshold, int maxKeep = int.MaxValue)
    {
        var n = scores.Length;
        if (boxes.Length != 4 * n)
            throw new ArgumentException($"nms needs 4 box values per score, got {boxes.Length} values for {n} scores");
        return GreedySuppression.Run(boxes, scores, [], 1, LargestFloatAtOrBelow(iouThreshold), maxKeep);
    }

    // One image: confidence filter, obj·cls scores, xywh→xyxy, best-label selection, class offsets, NMS. Multi-label
    // (test.py's setting) goes best first instead, see BestFirstSuppression.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop over every anchor; see GreedySuppression
    private static float[] ImageDetections(AnchorRows anchors, NmsOptions options)
    {
        var width = anchors.Width;
        var classCount = width - 5;
        var threshold = (float)options.ConfThreshold;
        if (options.MultiLabel && classCount > 1)
            return BestFirstSuppression.Run(anchors, options);
        var classFilter = options.Classes is { } classes ? new HashSet<int>(classes) : null;
        var candidates = new List<Candidate>();
        // Scores first and boxes later; a pair is identified by anchor · classCount + class.
        var capacity = anchors.Count;
        var pairScores = ArrayPool<float>.Shared.Rent(capacity);
        var pairs = ArrayPool<int>.Shared.Rent(capacity);
        try
        {
            var count = 0;
            var scores = new float[classCount];
            for (var a = 0; a < anchors.Count; a++)
            {
                var row = anchors[a];
                var objectness = row[4];
                if (!(objectness > threshold))
                    continue;
                for (var k = 0; k < classCount; k++)
                    // A one-class model has no meaningful class score (its loss is 0), so the reference uses obj alone.
                    scores[k] = classCount == 1 ? objectness : row[5 + k] * objectness;
                // torch.max returns a NaN score wherever there is one, and NaN never passes the threshold.
                var best = 0;
                for (var k = 1; k < classCount && !float.IsNaN(scores[best]); k++)
                    if (scores[k] > scores[best] || float.IsNaN(scores[k]))
                        best = k;
                if (scores[best] > threshold && (classFilter == null || classFilter.Contains(best)))
                    (pairScores[count], pairs[count++]) = (scores[best], a * classCount + best);
            }

            var selected = count > options.MaxNmsBoxes
                ? GreedySuppression.BestByDescendingScore(pairScores.AsSpan(0, count), options.MaxNmsBoxes)
                : Enumerable.Range(0, count).ToArray();
            foreach (var i in selected)
            {
                var (anchor, cls) = Math.DivRem(pairs[i], classCount);
                var row = anchors[anchor];
                var (cx, cy, halfW, halfH) = (row[0], row[1], row[2] / 2, row[3] / 2);
                candidates.Add(new Candidate(cx - halfW, cy - halfH, cx + halfW, cy + halfH, pairScores[i], cls));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(pairScores);
            ArrayPool<int>.Shared.Return(pairs);
        }
        if (candidates.Count == 0)
            return [];

        // Batched NMS by shifting each class's boxes by cls·max_wh so that different classes never overlap.
        var offsetBoxes = new float[candidates.Count * 4];
        var candidateScores = new float[candidates.Count];
        for (var i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            var offset = options.Agnostic ? 0f : c.Class * NmsOptions.MaxBoxSize;
            (offsetBoxes[4 * i], offsetBoxes[4 * i + 1], offsetBoxes[4 * i + 2], offsetBoxes[4 * i + 3]) =
                (c.X1 + offset, c.Y1 + offset, c.X2 + offset, c.Y2 + offset);
            candidateScores[i] = c.Score;
        }
        var groups = options.Agnostic ? null : SeparableClassGroups(candidates, offsetBoxes, classCount, options.IouThreshold);
        var keep = GreedySuppression.Run(offsetBoxes, candidateScores, groups ?? [], groups == null ? 1 : classCount,
            LargestFloatAtOrBelow(options.IouThreshold), options.MaxDetections);
        var kept = keep.Length;
        var result = new float[kept * 6];
        for (var k = 0; k < kept; k++)
        {
            var c = candidates[(int)keep[k]];
            (result[6 * k], result[6 * k + 1], result[6 * k + 2], result[6 * k + 3], result[6 * k + 4], result[6 * k + 5]) =
                (c.X1, c.Y1, c.X2, c.Y2, c.Score, c.Class);
        }
        return result;
    }

    // The C++ kernel compares the float IoU with the double threshold. For any float v, v > threshold holds exactly
    // when v exceeds the largest float not above the threshold, so the hot loop can compare floats.
    internal static float LargestFloatAtOrBelow(double threshold)
    {
        var t = (float)threshold;
        return t > threshold ? MathF.BitDecrement(t) : t;
    }

    // Class ids as suppression groups when the offset boxes of different classes provably never intersect (their
    // x or y extents are disjoint), so that a kept box need only be compared with its own class; null otherwise
    // (boxes beyond max_wh, NaN, or a negative threshold, which IoU 0 between classes would exceed), and then every
    // box is compared with every other, as the reference does.
    private static int[]? SeparableClassGroups(List<Candidate> candidates, float[] offsetBoxes, int classCount, double iouThreshold)
    {
        if (iouThreshold < 0)
            return null;
        var extents = new (float X1, float Y1, float X2, float Y2)?[classCount];
        for (var i = 0; i < candidates.Count; i++)
        {
            var (x1, y1, x2, y2) = (offsetBoxes[4 * i], offsetBoxes[4 * i + 1], offsetBoxes[4 * i + 2], offsetBoxes[4 * i + 3]);
            if (float.IsNaN(x1) || float.IsNaN(y1) || float.IsNaN(x2) || float.IsNaN(y2))
                return null;
            extents[candidates[i].Class] = extents[candidates[i].Class] is { } e
                ? (Math.Min(e.X1, x1), Math.Min(e.Y1, y1), Math.Max(e.X2, x2), Math.Max(e.Y2, y2))
                : (x1, y1, x2, y2);
        }
        var classes = extents.OfType<(float X1, float Y1, float X2, float Y2)>().ToArray();
        for (var a = 0; a < classes.Length; a++)
            for (var b = a + 1; b < classes.Length; b++)
            {
                var (p, q) = (classes[a], classes[b]);
                if (!(p.X2 <= q.X1 || q.X2 <= p.X1 || p.Y2 <= q.Y1 || q.Y2 <= p.Y1))
                    return null;
            }
        return candidates.Select(c => c.Class).ToArray();
    }

    private static float[] Values(Tensor tensor) => tensor.detach().cpu().contiguous().data<float>().ToArray();

    private readonly record struct Candidate(float X1, float Y1, float X2, float Y2, float Score, int Class);
}
