namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// The few NumPy routines that YOLOv7's <c>utils/metrics.py</c> relies on, reproduced operation by operation so
/// that AP values agree with the Python reference to the last bits, not just approximately.
/// </summary>
public static class NumPyCompat
{
    /// <summary>
    /// <c>np.linspace(start, stop, num)</c>: NumPy multiplies the index by a precomputed step (it does not divide
    /// each index) and then pins the last element to <paramref name="stop"/>; both details change low bits.
    /// </summary>
    public static double[] Linspace(double start, double stop, int num)
    {
        var values = new double[num];
        if (num == 1)
        {
            values[0] = start;
            return values;
        }
        var step = (stop - start) / (num - 1);
        for (var i = 0; i < num; i++)
            values[i] = i * step + start;
        values[num - 1] = stop;
        return values;
    }

    /// <summary>
    /// <c>np.interp(x, xp, fp, left, right)</c> for one <paramref name="x"/>. <paramref name="xp"/> must be
    /// non-decreasing; with repeated <c>xp</c> values NumPy uses the last one that is &lt;= x, which is what makes
    /// the step-shaped precision/recall curves come out the same.
    /// </summary>
    public static double Interp(double x, ReadOnlySpan<double> xp, ReadOnlySpan<double> fp, double? left = null, double? right = null)
    {
        if (xp.Length == 0 || xp.Length != fp.Length)
            throw new ArgumentException($"interp needs equally long, non-empty xp and fp (got {xp.Length} and {fp.Length})");
        var last = xp.Length - 1;
        if (double.IsNaN(x))
            return x;
        if (x < xp[0])
            return left ?? fp[0];
        if (x > xp[last])
            return right ?? fp[last];

        var j = LastIndexAtOrBelow(x, xp);
        if (j == last || xp[j] == x)
            return fp[j];

        var slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
        var result = slope * (x - xp[j]) + fp[j];
        if (double.IsNaN(result))
        {
            // NumPy retries from the right-hand knot when the slope overflowed, then falls back to a flat segment.
            result = slope * (x - xp[j + 1]) + fp[j + 1];
            if (double.IsNaN(result) && fp[j] == fp[j + 1])
                result = fp[j];
        }
        return result;
    }

    /// <summary>Vectorised <see cref="Interp(double, ReadOnlySpan{double}, ReadOnlySpan{double}, double?, double?)"/>.</summary>
    public static double[] Interp(ReadOnlySpan<double> x, ReadOnlySpan<double> xp, ReadOnlySpan<double> fp, double? left = null, double? right = null)
    {
        var result = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
            result[i] = Interp(x[i], xp, fp, left, right);
        return result;
    }

    /// <summary><c>np.trapz(y, x)</c>: per-interval terms <c>dx * (y1 + y0) / 2</c>, summed like <c>np.sum</c>.</summary>
    public static double Trapz(ReadOnlySpan<double> y, ReadOnlySpan<double> x)
    {
        if (y.Length != x.Length)
            throw new ArgumentException($"trapz needs equally long x and y (got {x.Length} and {y.Length})");
        if (y.Length < 2)
            return 0.0;
        var terms = new double[y.Length - 1];
        for (var i = 0; i < terms.Length; i++)
            terms[i] = (x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2.0;
        return Sum(terms);
    }

    /// <summary>
    /// <c>np.sum</c> of a 1-D float64 array: NumPy adds with pairwise summation (eight running partial sums in
    /// blocks of up to 128 values), which rounds differently from a plain left-to-right loop. Arrays longer than the
    /// ufunc buffer (8192 values) are summed buffer by buffer, each pairwise, the partial sums added in order
    /// (COCO's summary means run over up to T·R·K = 80,800 values).
    /// </summary>
    public static double Sum(ReadOnlySpan<double> values)
    {
        const int bufferSize = 8192;
        var sum = 0.0;
        for (var start = 0; start < values.Length; start += bufferSize)
            sum += PairwiseSum(values.Slice(start, Math.Min(bufferSize, values.Length - start)));
        return sum;
    }

    /// <summary><c>np.mean</c> of a 1-D float64 array (pairwise sum divided by the count).</summary>
    public static double Mean(ReadOnlySpan<double> values) => Sum(values) / values.Length;

    private static double PairwiseSum(ReadOnlySpan<double> a)
    {
        const int blockSize = 128;
        var n = a.Length;
        if (n < 8)
        {
            var res = 0.0;
            for (var i = 0; i < n; i++)
                res += a[i];
            return res;
        }
        if (n <= blockSize)
        {
            Span<double> r = stackalloc double[8];
            a[..8].CopyTo(r);
            var i = 8;
            for (; i < n - n % 8; i += 8)
                for (var k = 0; k < 8; k++)
                    r[k] += a[i + k];
            var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
                res += a[i];
            return res;
        }
        var half = n / 2;
        half -= half % 8;
        return PairwiseSum(a[..half]) + PairwiseSum(a[half..]);
    }

    // NumPy's binary_search_with_guess returns the last index j with xp[j] <= x (callers handle x outside xp).
    private static int LastIndexAtOrBelow(double x, ReadOnlySpan<double> xp)
    {
        int lo = 0, hi = xp.Length;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (x >= xp[mid])
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo - 1;
    }
}
