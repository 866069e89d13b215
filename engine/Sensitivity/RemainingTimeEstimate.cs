namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// The time left in an analysis, from the evaluations finished so far, each weighed by its expected work. In fast
/// mode a variant costs a fixed part (pruned copy, decode, NMS, scoring) plus a part that grows with the forward
/// GFLOPs its pruned layer reaches: nearly the whole network for the first layers, one head conv for the last. A
/// plain average over the first (most expensive) layers would overestimate several times over. The two parts are
/// fitted to the measured times by least squares once the finished evaluations differ enough in work; until then the
/// fixed part is taken as a tenth of the largest work. Equal work (naive mode) reduces to the plain average.
/// </summary>
public sealed class RemainingTimeEstimate(IReadOnlyList<double> work)
{
    private const double AssumedFixedShare = 0.1;
    private readonly double largest = work.DefaultIfEmpty(0).Max();
    private readonly List<(double Work, double Seconds)> finished = [];

    /// <summary>Records that evaluation <paramref name="index"/> (into the work list) took <paramref name="took"/>.</summary>
    public void Finished(int index, TimeSpan took) => finished.Add((work[index], took.TotalSeconds));

    /// <summary>
    /// Records evaluations <paramref name="first"/>..<paramref name="first"/>+<paramref name="count"/>-1, run together
    /// in <paramref name="took"/>: the time is split by what the model so far predicts for each (by the assumed split
    /// before anything finished), so that every one still carries its fixed part.
    /// </summary>
    public void FinishedTogether(int first, int count, TimeSpan took)
    {
        var (fixedPart, perWork) = finished.Count == 0 ? (AssumedFixedShare * largest, 1.0) : Fit();
        var predicted = Enumerable.Range(first, count).Select(i => fixedPart + perWork * work[i]).ToList();
        var total = predicted.Sum();
        for (var i = 0; i < count; i++)
            Finished(first + i, total > 0 ? took * (predicted[i] / total) : took / count);
    }

    /// <summary>Time for the evaluations from <paramref name="next"/> on; null before any has finished.</summary>
    public TimeSpan? Remaining(int next)
    {
        if (finished.Count == 0)
            return null;
        var (fixedPart, perWork) = Fit();
        var seconds = work.Skip(next).Sum(w => fixedPart + perWork * w);
        return TimeSpan.FromSeconds(Math.Max(0, seconds));
    }

    private (double Fixed, double PerWork) Fit()
    {
        var n = finished.Count;
        var meanWork = finished.Average(f => f.Work);
        var meanSeconds = finished.Average(f => f.Seconds);
        var variance = finished.Sum(f => (f.Work - meanWork) * (f.Work - meanWork)) / n;
        if (n >= 3 && Math.Sqrt(variance) >= AssumedFixedShare * largest)
        {
            var slope = finished.Sum(f => (f.Work - meanWork) * (f.Seconds - meanSeconds)) / n / variance;
            var intercept = meanSeconds - slope * meanWork;
            if (slope >= 0 && intercept >= 0)
                return (intercept, slope);
        }
        // Too little spread to fit both parts (or a fit with a negative part): scale an assumed split to the times.
        var assumedFixed = AssumedFixedShare * largest;
        var total = finished.Sum(f => f.Work + assumedFixed);
        var scale = total > 0 ? finished.Sum(f => f.Seconds) / total : 0;
        return total > 0 ? (scale * assumedFixed, scale) : (meanSeconds, 0);
    }
}
