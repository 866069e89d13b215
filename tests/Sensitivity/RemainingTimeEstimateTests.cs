using PruneCluster.Engine.Sensitivity;

namespace PruneCluster.Tests.Sensitivity;

public sealed class RemainingTimeEstimateTests
{
    private static TimeSpan Seconds(double s) => TimeSpan.FromSeconds(s);

    [Fact]
    public void NothingFinishedGivesNoEstimate() =>
        Assert.Null(new RemainingTimeEstimate([1.0, 1.0]).Remaining(0));

    [Fact]
    public void EqualWorkIsThePlainAverage()
    {
        var estimate = new RemainingTimeEstimate([1.0, 1.0, 1.0, 1.0, 1.0]);
        estimate.Finished(0, Seconds(2));
        estimate.Finished(1, Seconds(4));

        Assert.Equal(9.0, estimate.Remaining(2)!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void FixedAndPerWorkCostsAreFittedOnceTheWorkVaries()
    {
        // 0.5 s fixed + 0.1 s per unit of work, measured on the four most expensive evaluations.
        double[] work = [10, 8, 6, 4, 2, 1];
        var estimate = new RemainingTimeEstimate(work);
        for (var i = 0; i < 4; i++)
            estimate.Finished(i, Seconds(0.5 + 0.1 * work[i]));

        Assert.Equal(0.7 + 0.6, estimate.Remaining(4)!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void WithoutSpreadAFixedTenthOfTheLargestWorkIsAssumed()
    {
        var estimate = new RemainingTimeEstimate([10.0, 10.0, 10.0, 1.0]);
        for (var i = 0; i < 3; i++)
            estimate.Finished(i, Seconds(2));

        // 2 s per (10 + 1) units, so the last evaluation is (1 + 1) units: 4/11 s, not the 2 s a plain average gives.
        Assert.Equal(4.0 / 11, estimate.Remaining(3)!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void EvaluationsRunTogetherEachKeepTheirFixedPart()
    {
        // 0.5 s fixed + 0.1 s per unit of work. Three measured alone, then three run together in 1.1 + 0.7 + 0.6 s:
        // split by the fit, each keeps its 0.5 s and the estimate for the last stays exact (split by work alone,
        // the fixed part would shrink and the last would be estimated at about half).
        double[] work = [10, 6, 10, 6, 2, 1, 4];
        var estimate = new RemainingTimeEstimate(work);
        estimate.Finished(0, Seconds(1.5));
        estimate.Finished(1, Seconds(1.1));
        estimate.Finished(2, Seconds(1.5));
        estimate.FinishedTogether(3, 3, Seconds(1.1 + 0.7 + 0.6));

        Assert.Equal(0.9, estimate.Remaining(6)!.Value.TotalSeconds, 6);
    }
}
