using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// torchvision's CPU <c>nms_kernel</c> (greedy suppression in order of decreasing score), restructured for speed
/// with bit-identical results. The reference compares every kept box with every later box; at test.py's conf 0.001
/// an image has thousands of candidates and up to 300 kept boxes, so that loop was most of the evaluation time.
/// Here the candidates are packed in score order into contiguous columns, the comparisons run several boxes at a
/// time (<see cref="Vector{T}"/>) with the reference's exact float operations, and, when the caller can prove that
/// boxes of different groups never intersect (batched NMS with class offsets), a kept box is compared only with
/// later boxes of its own group.
/// </summary>
/// <remarks>
/// Why the result cannot change: a box's fate depends only on the kept boxes before it in score order, and a box
/// from another group has zero intersection, so it can never suppress. Marking an already suppressed box again is
/// harmless, which lets the vector loop set flags without branches.
/// </remarks>
internal static class GreedySuppression
{
    /// <param name="boxes">n·4 values x1, y1, x2, y2 (class offsets already added).</param>
    /// <param name="scores">n scores.</param>
    /// <param name="groups">Empty for one group, else n group ids in 0..groupCount-1 such that boxes of different groups never intersect.</param>
    /// <param name="groupCount">Number of groups (1 when <paramref name="groups"/> is empty).</param>
    /// <param name="threshold">The largest float not above the IoU threshold: a box is suppressed when its float IoU exceeds it.</param>
    /// <param name="maxKeep">Stop after this many kept boxes (the first ones of a full run).</param>
    /// <returns>Indices of the kept boxes, by decreasing score.</returns>
    // Hot loops: compiled optimised at once, since tier-0 code runs Vector<T> operations as calls (~5× slower).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long[] Run(ReadOnlySpan<float> boxes, ReadOnlySpan<float> scores, ReadOnlySpan<int> groups, int groupCount, float threshold, int maxKeep)
    {
        var n = scores.Length;
        // After max_nms the candidates already come best first: then sorting again would change nothing.
        var order = IsByDescendingScore(scores) ? Enumerable.Range(0, n).ToArray() : ByDescendingScore(scores);

        // Counting sort of the score order by group: each group's boxes are contiguous and still in score order.
        var groupStart = new int[groupCount + 1];
        for (var i = 0; i < n; i++)
            groupStart[(groups.IsEmpty ? 0 : groups[i]) + 1]++;
        for (var g = 0; g < groupCount; g++)
            groupStart[g + 1] += groupStart[g];
        var next = groupStart[..groupCount];
        var packed = new Columns(n);
        var slotOfRank = new int[n];
        for (var rank = 0; rank < n; rank++)
        {
            var i = order[rank];
            var slot = next[groups.IsEmpty ? 0 : groups[i]]++;
            slotOfRank[rank] = slot;
            packed.Set(slot, i, boxes.Slice(4 * i, 4));
        }

        var keep = new List<long>();
        for (var rank = 0; rank < n && keep.Count < maxKeep; rank++)
        {
            var slot = slotOfRank[rank];
            if (packed.Suppressed[slot] != 0)
                continue;
            var index = packed.Index[slot];
            keep.Add(index);
            packed.SuppressOverlaps(slot, groupStart[(groups.IsEmpty ? 0 : groups[index]) + 1], threshold);
        }
        return keep.ToArray();
    }

    /// <summary>
    /// Indices by decreasing score, as torch's stable descending sort orders them: NaN first, -0 equal to +0, equal
    /// scores in input order. Sorting one 64-bit key per box (order-preserving score bits, then the index) is several
    /// times quicker than sorting records with a comparer.
    /// </summary>
    public static int[] ByDescendingScore(ReadOnlySpan<float> scores)
    {
        var keys = new ulong[scores.Length];
        for (var i = 0; i < keys.Length; i++)
            keys[i] = (ulong)ScoreOrder.DescendingKey(scores[i]) << 32 | (uint)i;
        Array.Sort(keys);
        return Array.ConvertAll(keys, k => (int)(uint)k);
    }

    /// <summary>
    /// The first <paramref name="count"/> entries of <see cref="ByDescendingScore"/> without sorting everything:
    /// test.py's conf 0.001 on an untrained 80-class model yields ~500,000 candidates per image for max_nms 30,000.
    /// A radix select on the 32-bit order keys (a histogram of the high 16 bits, then of the low 16 bits inside
    /// the bucket that holds the count-th best) finds the key of the count-th best; only keys up to it are sorted.
    /// </summary>
    public static int[] BestByDescendingScore(ReadOnlySpan<float> scores, int count)
    {
        if (scores.Length <= count)
            return ByDescendingScore(scores);
        var keys = ArrayPool<uint>.Shared.Rent(scores.Length);
        try
        {
            var n = scores.Length;
            var histogram = new int[1 << 16];
            for (var i = 0; i < n; i++)
                histogram[(keys[i] = ScoreOrder.DescendingKey(scores[i])) >> 16]++;
            var (high, below) = CountThBucket(histogram, count);
            Array.Clear(histogram);
            for (var i = 0; i < n; i++)
                if (keys[i] >> 16 == high)
                    histogram[keys[i] & 0xFFFF]++;
            var (low, _) = CountThBucket(histogram, count - below);
            var cut = high << 16 | low;
            var selected = new List<ulong>(count);
            for (var i = 0; i < n; i++)
                if (keys[i] <= cut)
                    selected.Add((ulong)keys[i] << 32 | (uint)i);
            var sorted = selected.ToArray();
            Array.Sort(sorted);
            return Array.ConvertAll(sorted[..count], k => (int)(uint)k);
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(keys);
        }
    }

    // The bucket holding the count-th smallest key, and how many keys lie in the buckets below it.
    private static (uint Bucket, int Below) CountThBucket(int[] histogram, int count)
    {
        var (bucket, below) = (0u, 0);
        while (below + histogram[bucket] < count)
            below += histogram[bucket++];
        return (bucket, below);
    }

    private static bool IsByDescendingScore(ReadOnlySpan<float> scores)
    {
        for (var i = 1; i < scores.Length; i++)
            if (ScoreOrder.DescendingKey(scores[i - 1]) > ScoreOrder.DescendingKey(scores[i]))
                return false;
        return true;
    }

    /// <summary>
    /// Lane-wise whether the IoU of boxes i (kept, the kernel's "i") and j exceeds <paramref name="limit"/>, with the C++
    /// kernel's float operations: std::max/std::min (a &lt; b ? b : a), w = max(0, xx2 - xx1),
    /// inter / (area_i + area_j - inter). A NaN lane never exceeds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<int> IouAbove(Vector<float> ix1, Vector<float> iy1, Vector<float> ix2, Vector<float> iy2, Vector<float> iarea,
        Vector<float> jx1, Vector<float> jy1, Vector<float> jx2, Vector<float> jy2, Vector<float> jarea, Vector<float> limit)
    {
        var xx1 = Vector.ConditionalSelect(Vector.LessThan(ix1, jx1), jx1, ix1);
        var yy1 = Vector.ConditionalSelect(Vector.LessThan(iy1, jy1), jy1, iy1);
        var xx2 = Vector.ConditionalSelect(Vector.LessThan(jx2, ix2), jx2, ix2);
        var yy2 = Vector.ConditionalSelect(Vector.LessThan(jy2, iy2), jy2, iy2);
        var (dx, dy) = (xx2 - xx1, yy2 - yy1);
        var w = Vector.ConditionalSelect(Vector.LessThan(Vector<float>.Zero, dx), dx, Vector<float>.Zero);
        var h = Vector.ConditionalSelect(Vector.LessThan(Vector<float>.Zero, dy), dy, Vector<float>.Zero);
        var inter = w * h;
        return Vector.GreaterThan(inter / (iarea + jarea - inter), limit);
    }

    // The candidates as columns in packed order, like the C++ kernel's x1_t.. tensors, plus suppression flags
    // (0 or -1, the lanes of a vector comparison).
    private sealed class Columns(int n)
    {
        public readonly float[] X1 = new float[n], Y1 = new float[n], X2 = new float[n], Y2 = new float[n], Area = new float[n];
        public readonly int[] Index = new int[n], Suppressed = new int[n];

        public void Set(int slot, int index, ReadOnlySpan<float> box)
        {
            (X1[slot], Y1[slot], X2[slot], Y2[slot]) = (box[0], box[1], box[2], box[3]);
            Area[slot] = (box[2] - box[0]) * (box[3] - box[1]);
            Index[slot] = index;
        }

        // Suppresses the boxes after `slot` up to `end` whose IoU with it exceeds the threshold. The operations are
        // the C++ kernel's: std::max/std::min (a < b ? b : a), w = max(0, xx2 - xx1), inter / (area_i + area_j - inter).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void SuppressOverlaps(int slot, int end, float threshold)
        {
            var (ix1, iy1, ix2, iy2, iarea) = (X1[slot], Y1[slot], X2[slot], Y2[slot], Area[slot]);
            var j = slot + 1;
            if (Vector.IsHardwareAccelerated)
            {
                var (vx1, vy1, vx2, vy2, varea) = (new Vector<float>(ix1), new Vector<float>(iy1), new Vector<float>(ix2), new Vector<float>(iy2), new Vector<float>(iarea));
                var limit = new Vector<float>(threshold);
                for (; j + Vector<float>.Count <= end; j += Vector<float>.Count)
                {
                    var over = IouAbove(vx1, vy1, vx2, vy2, varea,
                        new Vector<float>(X1, j), new Vector<float>(Y1, j), new Vector<float>(X2, j), new Vector<float>(Y2, j), new Vector<float>(Area, j), limit);
                    (new Vector<int>(Suppressed, j) | over).CopyTo(Suppressed, j);
                }
            }
            for (; j < end; j++)
            {
                var xx1 = ix1 < X1[j] ? X1[j] : ix1;
                var yy1 = iy1 < Y1[j] ? Y1[j] : iy1;
                var xx2 = X2[j] < ix2 ? X2[j] : ix2;
                var yy2 = Y2[j] < iy2 ? Y2[j] : iy2;
                var w = 0f < xx2 - xx1 ? xx2 - xx1 : 0f;
                var h = 0f < yy2 - yy1 ? yy2 - yy1 : 0f;
                var inter = w * h;
                if (inter / (iarea + Area[j] - inter) > threshold)
                    Suppressed[j] = -1;
            }
        }
    }
}
