using Xunit;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Evaluation;

/// <summary>Scores golden/metrics_golden.json and compares every field of test.py's result (README: match to 1e-9).</summary>
public sealed class MetricsGoldenTests
{
    private const double Tolerance = 1e-9;
    private static readonly MetricsFile Golden = MetricsFile.Read(SharedData.Golden("metrics_golden.json"));

    [Fact]
    public void GoldenFileHasExpectedMetricsAndSixtyImages()
    {
        Assert.NotNull(Golden.Expected);
        Assert.Equal(60, Golden.Images.Count);
        Assert.Equal(6, Golden.ClassCount);
    }

    [Fact]
    public void ScoringTheGoldenDetectionsReproducesTestPyToOneInABillion()
    {
        var expected = Golden.Expected!;
        var actual = Golden.Score();

        Assert.Equal(expected.ApClass, actual.ApClass);
        Assert.Equal(expected.Nt, actual.Nt);
        AssertClose(expected.Mp, actual.Mp, "mp");
        AssertClose(expected.Mr, actual.Mr, "mr");
        AssertClose(expected.Map50, actual.Map50, "map50");
        AssertClose(expected.Map, actual.Map, "map");
        AssertAllClose(expected.P, actual.P, "p");
        AssertAllClose(expected.R, actual.R, "r");
        AssertAllClose(expected.Ap50, actual.Ap50, "ap50");
        AssertAllClose(expected.Ap, actual.Ap, "ap");
        AssertAllClose(expected.Maps, actual.Maps, "maps");
        Assert.Equal(Golden.Images.Count, actual.Images);
    }

    [Fact]
    public void GoldenFileWithoutDTypeIsScoredAsFloat32TensorsLikeTestPy() =>
        Assert.Equal(DetectionDType.Float32, Golden.DType);

    [Fact]
    public void AccumulatorFedImageByImageGivesTheSameMetricsAsTheFile()
    {
        var accumulator = new MetricsAccumulator(Golden.ClassCount);
        foreach (var image in Golden.Images)
            accumulator.AddImage(image.Predictions, image.Labels);

        var viaAccumulator = accumulator.Compute();
        var viaFile = Golden.Score();

        Assert.Equal(viaFile.Map, viaAccumulator.Map);
        Assert.Equal(viaFile.Maps, viaAccumulator.Maps);
        Assert.Equal(Golden.Images.Count, accumulator.ImageCount);
    }

    [Fact]
    public void IouThresholdsAreTheGoldenFloat32Linspace()
    {
        using var stream = File.OpenRead(SharedData.Golden("metrics_golden.json"));
        using var document = System.Text.Json.JsonDocument.Parse(stream);
        var golden = document.RootElement.GetProperty("iou_thresholds").EnumerateArray().Select(e => e.GetDouble()).ToArray();

        Assert.Equal(golden, DetectionMatcher.IouThresholds.Select(t => (double)t).ToArray());
    }

    private static void AssertAllClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            AssertClose(expected[i], actual[i], $"{what}[{i}]");
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance, $"{what}: expected {expected:R}, got {actual:R} (diff {Math.Abs(expected - actual):E2})");
}
