namespace PruneCluster.Engine.Selection;

/// <summary>
/// Finds where layer_selection.py's threshold loop stops, without running it step by step and without ever spinning.
/// <para>
/// The paper starts with <c>frac = 2</c> and counts the layers whose best score exceeds <c>best / frac</c>; while
/// the count is below <c>wanted − 1</c> it adds 0.001 to frac, while above <c>wanted</c> it subtracts 0.001, and it
/// stops as soon as the count is <c>wanted − 1</c> or <c>wanted</c>. With a positive best score the count never
/// falls as frac grows, so the loop walks in one direction and either lands in that band or jumps over it (several
/// layers cross the threshold in one step: ties) and then swings back and forth forever; with too few positive
/// scores it climbs forever.
/// </para>
/// <para>
/// This class follows the same walk with the same floating-point arithmetic (each step is <c>frac ± 0.001</c>
/// rounded to double, as in Python), but it skips long climbs exactly: inside one binade [2^e, 2^(e+1)) adding
/// 0.001 always adds the same multiple of the double spacing, so the k-th step is an exact multiplication and the
/// first step past a threshold is found by bisection. A frac value seen before means the paper cycles forever;
/// a climb that can never reach the band (not enough positive scores, or 0.001 vanishing next to a huge frac) or
/// a step onto frac = 0 (Python's ZeroDivisionError) means the paper never returns. Those cases return null.
/// </para>
/// </summary>
internal static class PaperThresholdSearch
{
    private const double Step = 0.001;

    /// <summary>More than any finite walk needs: descents end by frac ≈ 0 (at most ~2000 steps).</summary>
    private const int StepBudget = 1_000_000;

    /// <summary>The frac at which the paper's loop breaks, or null when it never breaks.</summary>
    public static double? BreakingFrac(IReadOnlyList<double> bestScores, double bestScore, int wanted)
    {
        var descending = bestScores.OrderDescending().ToArray();
        var frac = 2.0;
        var seen = new HashSet<double>();
        for (var steps = 0; steps < StepBudget; steps++)
        {
            if (frac == 0)
                return null; // Python raises ZeroDivisionError here
            var count = CountAbove(descending, bestScore / frac);
            if (count >= wanted - 1 && count <= wanted)
                return frac;
            if (count > wanted)
            {
                frac -= Step;
            }
            else if (frac < 0)
            {
                frac += Step;
            }
            else if (bestScore > 0 && wanted - 1 <= descending.Length)
            {
                // The count reaches wanted − 1 exactly when the (wanted−1)-th best score passes the threshold.
                var needed = descending[wanted - 2];
                var reached = FirstStepWhere(frac, f => needed > bestScore / f);
                if (reached is null)
                    return null;
                frac = reached.Value;
            }
            else
            {
                // best ≤ 0: a larger frac never admits more layers (or there are fewer layers than wanted − 1),
                // so the paper climbs forever.
                return null;
            }
            if (!seen.Add(frac))
                return null; // back at a frac already tried: the paper's loop cycles forever
        }
        return null;
    }

    /// <summary>How many scores exceed the threshold (the length of the paper's <c>number_*</c> list).</summary>
    public static int CountAbove(IReadOnlyList<double> scores, double threshold)
    {
        var count = 0;
        foreach (var score in scores)
        {
            if (score > threshold)
                count++;
        }
        return count;
    }

    /// <summary>
    /// The first value after <paramref name="start"/> of the sequence x ← fl(x + 0.001) that satisfies
    /// <paramref name="passes"/> (which must be monotone: once true, true for all larger x), or null if the
    /// sequence stops growing or overflows first.
    /// </summary>
    internal static double? FirstStepWhere(double start, Func<double, bool> passes)
    {
        var x = start;
        while (true)
        {
            if (x > 0 && double.IsNormal(x) && ConstantIncrement(x) is { } increment && increment > 0)
            {
                var spacing = Math.BitIncrement(x) - x;
                var binadeTop = Math.ScaleB(1.0, Math.ILogB(x) + 1);
                // Steps stay inside the binade (so each adds exactly `increment`) while x + n·inc + Step < top − spacing.
                var n = (long)Math.Floor((binadeTop - spacing - Step - x) / increment) - 2;
                if (n >= 1)
                {
                    if (passes(x + n * increment))
                    {
                        long low = 1, high = n;
                        while (low < high)
                        {
                            var middle = low + (high - low) / 2;
                            if (passes(x + middle * increment))
                                high = middle;
                            else
                                low = middle + 1;
                        }
                        return x + low * increment;
                    }
                    x += n * increment;
                    continue;
                }
            }
            var next = x + Step;
            if (next == x || double.IsInfinity(next))
                return null;
            x = next;
            if (passes(x))
                return x;
        }
    }

    /// <summary>
    /// What fl(x + 0.001) − x is for every x of x's binade, or null when rounding would tie (then it alternates).
    /// </summary>
    private static double? ConstantIncrement(double x)
    {
        var spacing = Math.BitIncrement(x) - x;
        var whole = Math.Floor(Step / spacing);
        var remainder = Step - whole * spacing; // exact: spacing is a power of two
        if (remainder * 2 == spacing)
            return null;
        return remainder * 2 < spacing ? whole * spacing : (whole + 1) * spacing;
    }
}
