using PruneCluster.Engine.Evaluation;
using TorchSharp;
using Xunit;

namespace PruneCluster.Tests.Evaluation;

/// <summary>How images without labels or predictions enter test.py's statistics.</summary>
public sealed class MetricsAccumulatorTests
{
    private static readonly double[,] OneLabel = { { 0, 0, 0, 100, 100 } };
    private static readonly double[,] PerfectPrediction = { { 0, 0, 100, 100, 0.9, 0 } };

    [Fact]
    public void ImageWithNeitherLabelsNorPredictionsCountsOnlyAsSeen()
    {
        var accumulator = new MetricsAccumulator(2);
        accumulator.AddImage(PerfectPrediction, OneLabel);
        var before = accumulator.Compute();

        accumulator.AddImage(new double[0, 6], new double[0, 5]);
        var after = accumulator.Compute();

        Assert.Equal(2, after.Images);
        Assert.Equal(before.Map, after.Map);
        Assert.Equal(1.0, after.Map50, 12);
    }

    [Fact]
    public void MissedLabelsLowerRecallAndCountAsLabels()
    {
        var accumulator = new MetricsAccumulator(2);
        accumulator.AddImage(PerfectPrediction, OneLabel);
        accumulator.AddImage(new double[0, 6], OneLabel);

        var metrics = accumulator.Compute();

        Assert.Equal([2L, 0L], metrics.Nt);
        Assert.Equal(0.5, metrics.Mr, 12);
    }

    [Fact]
    public void RunWithoutAnyTruePositiveReportsZerosLikeTestPy()
    {
        var accumulator = new MetricsAccumulator(3);
        accumulator.AddImage(new double[,] { { 500, 500, 600, 600, 0.9, 0 } }, OneLabel);

        var metrics = accumulator.Compute();

        Assert.Equal(0.0, metrics.Map);
        Assert.Empty(metrics.ApClass);
        Assert.Equal(new double[3], metrics.Maps);
        Assert.Equal(1L, metrics.Labels);
    }

    [Fact]
    public void AbsentClassesInMapsCarryTheMeanMap()
    {
        var accumulator = new MetricsAccumulator(3);
        accumulator.AddImage(PerfectPrediction, OneLabel);

        var metrics = accumulator.Compute();

        Assert.Equal([0], metrics.ApClass);
        Assert.Equal(metrics.Map, metrics.Maps[1]);
        Assert.Equal(metrics.Map, metrics.Maps[2]);
    }

    [Fact]
    public void TensorInputIsScoredLikeTheSameRowsAsArrays()
    {
        using var predictions = torch.tensor(new float[] { 0, 0, 100, 90, 0.9f, 0, 10, 10, 50, 50, 0.4f, 1 }, [2, 6]);
        using var labels = torch.tensor(new float[] { 0, 0, 0, 100, 100, 1, 10, 10, 40, 50 }, [2, 5]);
        var fromTensors = new MetricsAccumulator(2);
        var fromArrays = new MetricsAccumulator(2);

        fromTensors.AddImage(predictions, labels);
        fromArrays.AddImage(
            new double[,] { { 0, 0, 100, 90, 0.9f, 0 }, { 10, 10, 50, 50, 0.4f, 1 } },
            new double[,] { { 0, 0, 0, 100, 100 }, { 1, 10, 10, 40, 50 } });

        Assert.Equal(fromArrays.Compute().Maps, fromTensors.Compute().Maps);
    }

    [Fact]
    public void LabelClassOutsideTheModelIsRejected()
    {
        var accumulator = new MetricsAccumulator(1);

        Assert.Throws<ArgumentException>(() => accumulator.AddImage(new double[0, 6], new double[,] { { 3, 0, 0, 1, 1 } }));
    }
}
