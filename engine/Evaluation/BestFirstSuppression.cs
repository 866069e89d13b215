using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
/// The suppression compares each candidate with the boxes kept before it (at most max_det, several at a time), which
/// decides exactly what torchvision's kernel decides: a box is dropped when its IoU with an earlier kept box exceeds
/// the threshold, computed with the kernel's float operations and the kept box as its "i".
/// </para>
/// </remarks>
internal static class BestFirstSuppression
{
    // An untrained 80-class model needs ~300 ranks for 300 kept boxes, which 64 anchors' candidates usually cover;
    // each further wave takes 4× as many anchors.
    private const int FirstWaveAnchors = 64;

    /// <param name="anchors">Rows cx, cy, w, h, obj, nc class scores (nc ≥ 2).</param>
    /// <returns>Kept detections as rows x1, y1, x2, y2, conf, cls, best first.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops over every anchor; tier-0 Vector<T> is slow
    public static float[] Run(AnchorRows anchors, NmsOptions options)
    {
        var classCount = anchors.Width - 5;
        var threshold = (float)options.ConfThreshold;
        var allowed = AllowedClasses(options.Classes, classCount);
        var anchorCount = anchors.Count;

        // Anchors with a candidate as keys in (best score descending, anchor index) order; the waves select from them.
        var byBest = ArrayPool<ulong>.Shared.Rent(Math.Max(1, anchorCount));
        var candidates = new List<ulong>();
        try
        {
            var ranked = 0;
            for (var a = 0; a < anchorCount; a++)
            {
                var row = anchors[a];
                var objectness = row[4];
                if (!(objectness > threshold))
                    continue;
                var best = BestScore(row[5..], objectness, threshold, allowed);
                if (best > threshold)
                    byBest[ranked++] = (ulong)ScoreOrder.DescendingKey(best) << 32 | (uint)a;
            }

            var kept = new KeptBoxes(options);
            var rank = 0;
            var above = float.PositiveInfinity; // the previous wave's t: its candidates scored above it
            var start = 0;                      // the previous waves' anchors are byBest[..start]
            for (var end = Math.Min(FirstWaveAnchors, ranked); ; end = Math.Min(4 * end, ranked))
            {
                // Only which anchors come before `end` matters, not their order: a selection, not a sort.
                if (end < ranked)
                    NthElement(byBest.AsSpan(start, ranked - start), end - start);
                var t = end < ranked ? ScoreOrder.ScoreOf((uint)(byBest[end] >> 32)) : threshold;
                candidates.Clear();
                for (var p = 0; p < end; p++)
                {
                    var a = (int)(uint)byBest[p];
                    var row = anchors[a];
                    var objectness = row[4];
                    for (var k = 0; k < classCount; k++)
                    {
                        var score = row[5 + k] * objectness;
                        if (score > t && score <= above && (allowed == null || allowed[k]))
                            candidates.Add((ulong)ScoreOrder.DescendingKey(score) << 32 | (uint)(a * classCount + k));
                    }
                }
                // Ranks past max_nms are never visited: select the ones that are before sorting (a wave can hold
                // most of the ~500,000 pairs when heavy overlap keeps fewer than max_det boxes).
                var budget = options.MaxNmsBoxes - rank;
                if (candidates.Count > budget)
                {
                    NthElement(CollectionsMarshal.AsSpan(candidates), budget);
                    candidates.RemoveRange(budget, candidates.Count - budget);
                }
                candidates.Sort();
                foreach (var candidate in candidates)
                {
                    if (rank++ == options.MaxNmsBoxes || kept.Count == options.MaxDetections)
                        return kept.Detections();
                    var (a, k) = Math.DivRem((int)(uint)candidate, classCount);
                    kept.Offer(anchors[a], k);
                }
                if (end == ranked || kept.Count == options.MaxDetections || rank == options.MaxNmsBoxes)
                    return kept.Detections();
                (above, start) = (t, end);
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

    // Reorders keys so that keys[k] is the key a sort would put there, with smaller keys before it and larger after it
    // (quickselect, median-of-three pivots). Keys are distinct (they end in an anchor index).
    private static void NthElement(Span<ulong> keys, int k)
    {
        var (lo, hi) = (0, keys.Length - 1);
        while (hi > lo)
        {
            var mid = lo + (hi - lo) / 2;
            if (keys[mid] < keys[lo])
                (keys[mid], keys[lo]) = (keys[lo], keys[mid]);
            if (keys[hi] < keys[lo])
                (keys[hi], keys[lo]) = (keys[lo], keys[hi]);
            if (keys[hi] < keys[mid])
                (keys[hi], keys[mid]) = (keys[mid], keys[hi]);
            var pivot = keys[mid];
            var (i, j) = (lo, hi);
            while (i <= j)
            {
                while (keys[i] < pivot)
                    i++;
                while (keys[j] > pivot)
                    j--;
                if (i <= j)
                {
                    (keys[i], keys[j]) = (keys[j], keys[i]);
                    (i, j) = (i + 1, j - 1);
                }
            }
            if (k <= j)
                hi = j;
            else if (k >= i)
                lo = i;
            else
                return;
        }
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

    // The boxes kept so far (class offsets added), as columns padded with NaN to whole vectors, and their detections.
    private sealed class KeptBoxes(NmsOptions options)
    {
        private readonly List<float> _detections = [];
        private readonly float _iouLimit = NonMaxSuppression.LargestFloatAtOrBelow(options.IouThreshold);
        private readonly bool _offsets = !options.Agnostic;
        private float[] _x1 = Padding(64), _y1 = Padding(64), _x2 = Padding(64), _y2 = Padding(64), _area = Padding(64);

        public int Count { get; private set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Offer(ReadOnlySpan<float> row, int cls)
        {
            var score = row[5 + cls] * row[4];
            var (cx, cy, halfW, halfH) = (row[0], row[1], row[2] / 2, row[3] / 2);
            var (x1, y1, x2, y2) = (cx - halfW, cy - halfH, cx + halfW, cy + halfH);
            var offset = _offsets ? cls * NmsOptions.MaxBoxSize : 0f;
            var (ox1, oy1, ox2, oy2) = (x1 + offset, y1 + offset, x2 + offset, y2 + offset);
            var area = (ox2 - ox1) * (oy2 - oy1);
            if (Overlaps(ox1, oy1, ox2, oy2, area))
                return;
            if (Count == _x1.Length)
                Grow();
            (_x1[Count], _y1[Count], _x2[Count], _y2[Count], _area[Count]) = (ox1, oy1, ox2, oy2, area);
            Count++;
            _detections.AddRange([x1, y1, x2, y2, score, cls]);
        }

        public float[] Detections() => _detections.ToArray();

        // Whether the IoU with some kept box exceeds the threshold: the kernel's operations with the kept box as "i",
        // several kept boxes at a time. The NaN padding gives NaN IoUs, which never exceed it. Kept boxes of other classes have IoU 0
        // whenever the class offsets separate them, so comparing with all of them is the reference's rule and costs
        // little (at most max_det boxes).
        private bool Overlaps(float x1, float y1, float x2, float y2, float area)
        {
            var (cx1, cy1, cx2, cy2, carea) = (new Vector<float>(x1), new Vector<float>(y1), new Vector<float>(x2), new Vector<float>(y2), new Vector<float>(area));
            var limit = new Vector<float>(_iouLimit);
            for (var j = 0; j < Count; j += Vector<float>.Count)
            {
                var over = GreedySuppression.IouAbove(new Vector<float>(_x1, j), new Vector<float>(_y1, j), new Vector<float>(_x2, j), new Vector<float>(_y2, j),
                    new Vector<float>(_area, j), cx1, cy1, cx2, cy2, carea, limit);
                if (over != Vector<int>.Zero)
                    return true;
            }
            return false;
        }

        private void Grow()
        {
            _x1 = Grown(_x1);
            _y1 = Grown(_y1);
            _x2 = Grown(_x2);
            _y2 = Grown(_y2);
            _area = Grown(_area);
        }

        private static float[] Grown(float[] column)
        {
            var grown = Padding(2 * column.Length);
            column.CopyTo(grown, 0);
            return grown;
        }

        // Lengths are multiples of every Vector<float> width (64 and doublings), so whole-vector loads stay in bounds.
        private static float[] Padding(int length)
        {
            var column = new float[length];
            Array.Fill(column, float.NaN);
            return column;
        }
    }
}
