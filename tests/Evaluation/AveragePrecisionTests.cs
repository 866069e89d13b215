using PruneCluster.Engine.Evaluation;
using Xunit;

namespace PruneCluster.Tests.Evaluation;

/// <summary>ap_per_class / compute_ap and the NumPy semantics they rest on, on curves with known answers.</summary>
public sealed class AveragePrecisionTests
{
    [Fact]
    public void InterpUsesTheLastOfRepeatedKnotsAndTheGivenOutsideValues()
    {
        double[] xp = [0, 1, 1, 2];
        double[] fp = [0, 10, 20, 30];

        Assert.Equal(5, NumPyCompat.Interp(0.5, xp, fp));
        Assert.Equal(20, NumPyCompat.Interp(1, xp, fp));
        Assert.Equal(25, NumPyCompat.Interp(1.5, xp, fp));
        Assert.Equal(-1, NumPyCompat.Interp(-0.5, xp, fp, left: -1));
        Assert.Equal(30, NumPyCompat.Interp(3, xp, fp));
    }

    [Fact]
    public void LinspaceEndsExactlyAtStop()
    {
        var px = NumPyCompat.Linspace(0, 1, 1000);

        Assert.Equal(0.0, px[0]);
        Assert.Equal(1.0, px[^1]);
        Assert.Equal(998 * (1.0 / 999), px[998]);
    }

    [Fact]
    public void PairwiseSumOfManyOnesIsExact()
    {
        var ones = Enumerable.Repeat(1.0, 1000).ToArray();

        Assert.Equal(1000.0, NumPyCompat.Sum(ones));
        Assert.Equal(1.0, NumPyCompat.Mean(ones));
    }

    [Fact]
    public void PerfectDetectorHasApOneAndPrecisionAndRecallOne()
    {
        // Three labels of class 0, three true positives at every threshold, no false positives.
        var tp = new bool[3, 10];
        for (var i = 0; i < 3; i++)
            for (var t = 0; t < 10; t++)
                tp[i, t] = true;

        var result = AveragePrecision.ApPerClass(tp, [0.9, 0.8, 0.7], [0, 0, 0], [0, 0, 0]);

        Assert.Equal([0], result.Classes);
        Assert.Equal(1.0, result.Ap[0, 0], 12);
        Assert.Equal(1.0, result.Ap[0, 9], 12);
        Assert.Equal(1.0, result.Precision[0], 12);
        Assert.Equal(1.0, result.Recall[0], 12);
    }

    [Fact]
    public void ClassWithLabelsButNoPredictionsHasZeroApAndClassesWithoutLabelsAreNotListed()
    {
        var tp = new bool[2, 10];
        tp[0, 0] = true;

        var result = AveragePrecision.ApPerClass(tp, [0.9, 0.8], [0, 1], [0, 2]);

        Assert.Equal([0, 2], result.Classes);
        Assert.Equal(0.0, result.Ap[1, 0]);
        Assert.Equal(0.0, result.Recall[1]);
    }

    [Fact]
    public void ComputeApInterpolatesLinearlyFromTheRecallZeroSentinel()
    {
        // Knots (0, 1) sentinel, (0.5, 0.5), (1, 0.5), (1.01, 0) sentinel: the curve falls linearly from 1 to 0.5
        // over recall 0..0.5, then stays at 0.5; area 0.375 + 0.25, which the trapezoid rule gets exactly.
        var ap = AveragePrecision.ComputeAp([0.5, 1.0], [0.5, 0.5]);

        Assert.Equal(0.625, ap, 12);
    }
}
