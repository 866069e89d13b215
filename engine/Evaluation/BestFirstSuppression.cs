using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// Multi-label <c>non_max_suppression</c> for one image that visits the (anchor, class) candidates best first and
/// stops as soon as max_det boxes are kept, with results bit-identical to filtering, cutting to max_nms, sorting and
/// running torchvision's kernel over everything.
/// </summary>
/// <remarks>
/// <para>
/// Why: at test.py's conf 0.001 an untrained (or early-pruned) 80-class model passes ~500,000 candidates per image at
/// img 320, and sorting the best 30,000 of them was most of the NMS time, although the 300 kept boxes are usually
/// found among the first few thousand. Every sensitivity evaluation pays this once per image.
/// </para>
/// <para>
/// How: each anchor's best score (objectness × best class score; the product is monotone in the class score) orders
/// the anchors. A wave takes the score t of the anchor at some position p: every candidate scoring above t belongs to
/// one of the first p anchors, so collecting those and sorting them by (score, index) gives exactly the first ranks
/// of the full order, ties included. Greedy suppression runs over them; if it has not kept max_det boxes and ranks
/// remain (up to max_nms), the next wave collects the candidates between the next, lower t and the last one.
/// </para>
/// <para>
/// The suppression compares each candidate with the boxes kept before it, which decides exactly what torchvision's
/// kernel decides (a box is dropped when its IoU with an earlier kept box exceeds the threshold), with the kernel's
/// float operations and the kept box as its "i". While the candidates seen so far span at most max_wh in x or in y,
/// the class offsets keep different classes apart (no intersection, IoU 0), so only kept boxes of the same class are
/// compared; otherwise, and for a negative threshold, all of them are.
/// </para>
/// </remarks>
internal static class BestFirstSuppression
{
    private const int FirstWaveAnchors = 256;

    /// <param name="anchors">Rows cx, cy, w, h, obj, nc class scores.</param>
    /// <param name="width">5 + nc (nc ≥ 2).</param>
    /// <returns>Kept detections as rows x1, y1, x2, y2, conf, cls, best first.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops over every anchor; tier-0 Vector<T> is slow
    public static float[] Run(ReadOnlySpan<float> anchors, int width, NmsOptions options)
    {
        var classCount = width - 5;
        var threshold = (float)options.ConfThreshold;
        var allowed = AllowedClasses(options.Classes, classCount);
        var anchorCount = anchors.Length / width;

        // Anchors with a candidate, ordered by (best score descending, anchor index).
        var byBest = ArrayPool<ulong>.Shared.Rent(Math.Max(1, anchorCount));
        var candidates = new List<ulong>();
        try
        {
            var ranked = 0;
            for (var a = 0; a < anchorCount; a++)
            {
                var row = anchors.Slice(a * width, width);
                var objectness = row[4];
                if (!(objectness > threshold))
                    continue;
                var best = BestScore(row[5..], objectness, threshold, allowed);
                if (best > threshold)
                    byBest[ranked++] = (ulong)ScoreOrder.DescendingKey(best) << 32 | (uint)a;
            }
            Array.Sort(byBest, 0, ranked);

            var kept = new KeptBoxes(classCount, options);
            var rank = 0;
            var above = float.PositiveInfinity; // the previous wave's t: its candidates scored above it
            for (var end = Math.Min(FirstWaveAnchors, ranked); ; end = Math.Min(4 * end, ranked))
            {
                var t = end < ranked ? ScoreOrder.ScoreOf((uint)(byBest[end] >> 32)) : threshold;
                candidates.Clear();
                for (var p = 0; p < end; p++)
                {
                    var a = (int)(uint)byBest[p];
                    var row = anchors.Slice(a * width, width);
                    var objectness = row[4];
                    for (var k = 0; k < classCount; k++)
                    {
                        var score = row[5 + k] * objectness;
                        if (score > t && score <= above && (allowed == null || allowed[k]))
                            candidates.Add((ulong)ScoreOrder.DescendingKey(score) << 32 | (uint)(a * classCount + k));
                    }
                }
                candidates.Sort();
                foreach (var candidate in candidates)
                {
                    if (rank++ == options.MaxNmsBoxes || kept.Count == options.MaxDetections)
                        return kept.Detections();
                    var (a, k) = Math.DivRem((int)(uint)candidate, classCount);
                    kept.Offer(anchors.Slice(a * width, width), k);
                }
                if (end == ranked || kept.Count == options.MaxDetections)
                    return kept.Detections();
                above = t;
            }
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(byBest);
        }
    }

    // The best obj·cls score of an anchor above the threshold (the threshold itself when none is above it). NaN scores
    // never pass a comparison, as in the reference.
    private static float BestScore(ReadOnlySpan<float> classScores, float objectness, float threshold, bool[]? allowed)
    {
        var best = threshold;
        var k = 0;
        if (allowed == null && Vector.IsHardwareAccelerated)
        {
            var (obj, max) = (new Vector<float>(objectness), new Vector<float>(threshold));
            for (; k + Vector<float>.Count <= classScores.Length; k += Vector<float>.Count)
            {
                var score = new Vector<float>(classScores.Slice(k, Vector<float>.Count)) * obj;
                max = Vector.ConditionalSelect(Vector.GreaterThan(score, max), score, max);
            }
            for (var lane = 0; lane < Vector<float>.Count; lane++)
                if (max[lane] > best)
                    best = max[lane];
        }
        for (; k < classScores.Length; k++)
        {
            var score = classScores[k] * objectness;
            if (score > best && (allowed == null || allowed[k]))
                best = score;
        }
        return best;
    }

    private static bool[]? AllowedClasses(IReadOnlyList<int>? classes, int classCount)
    {
        if (classes == null)
            return null;
        var allowed = new bool[classCount];
        foreach (var c in classes.Where(c => c >= 0 && c < classCount))
            allowed[c] = true;
        return allowed;
    }

    // The boxes kept so far, per class and in keep order, with what deciding a new candidate needs.
    private sealed class KeptBoxes(int classCount, NmsOptions options)
    {
        private readonly List<float> _detections = [];
        private readonly List<int>[] _byClass = Enumerable.Range(0, classCount).Select(_ => new List<int>()).ToArray();
        private readonly List<int> _all = [];
        private readonly List<(float X1, float Y1, float X2, float Y2, float Area)> _boxes = [];
        private readonly float _iouLimit = NonMaxSuppression.LargestFloatAtOrBelow(options.IouThreshold);
        private readonly bool _offsets = !options.Agnostic;
        private float _minX = float.PositiveInfinity, _maxX = float.NegativeInfinity, _minY = float.PositiveInfinity, _maxY = float.NegativeInfinity;
        private bool _separable = options.IouThreshold >= 0;

        public int Count => _boxes.Count;

        public void Offer(ReadOnlySpan<float> row, int cls)
        {
            var score = row[5 + cls] * row[4];
            var (cx, cy, halfW, halfH) = (row[0], row[1], row[2] / 2, row[3] / 2);
            var (x1, y1, x2, y2) = (cx - halfW, cy - halfH, cx + halfW, cy + halfH);
            var offset = _offsets ? cls * NmsOptions.MaxBoxSize : 0f;
            var (ox1, oy1, ox2, oy2) = (x1 + offset, y1 + offset, x2 + offset, y2 + offset);
            var area = (ox2 - ox1) * (oy2 - oy1);
            TrackExtent(x1, y1, x2, y2);

            foreach (var i in _offsets && _separable ? _byClass[cls] : _all)
            {
                var k = _boxes[i];
                var xx1 = k.X1 < ox1 ? ox1 : k.X1;
                var yy1 = k.Y1 < oy1 ? oy1 : k.Y1;
                var xx2 = ox2 < k.X2 ? ox2 : k.X2;
                var yy2 = oy2 < k.Y2 ? oy2 : k.Y2;
                var w = 0f < xx2 - xx1 ? xx2 - xx1 : 0f;
                var h = 0f < yy2 - yy1 ? yy2 - yy1 : 0f;
                var inter = w * h;
                if (inter / (k.Area + area - inter) > _iouLimit)
                    return;
            }
            _byClass[cls].Add(_boxes.Count);
            _all.Add(_boxes.Count);
            _boxes.Add((ox1, oy1, ox2, oy2, area));
            _detections.AddRange([x1, y1, x2, y2, score, cls]);
        }

        public float[] Detections() => _detections.ToArray();

        // Classes a and b > a cannot intersect when every box seen spans [lo, lo + max_wh] in x (or in y): then
        // a·max_wh + x2 ≤ b·max_wh + x1 holds in reals and survives the monotone float rounding of the offsets.
        private void TrackExtent(float x1, float y1, float x2, float y2)
        {
            if (!_separable)
                return;
            if (float.IsNaN(x1) || float.IsNaN(y1) || float.IsNaN(x2) || float.IsNaN(y2))
            {
                _separable = false;
                return;
            }
            (_minX, _maxX) = (Math.Min(_minX, Math.Min(x1, x2)), Math.Max(_maxX, Math.Max(x1, x2)));
            (_minY, _maxY) = (Math.Min(_minY, Math.Min(y1, y2)), Math.Max(_maxY, Math.Max(y1, y2)));
            _separable = (double)_maxX - _minX <= NmsOptions.MaxBoxSize || (double)_maxY - _minY <= NmsOptions.MaxBoxSize;
        }
    }
}
