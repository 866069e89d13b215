using PruneCluster.Engine.Evaluation;
using PruneCluster.Tests.Support;
using Xunit;

namespace PruneCluster.Tests.Evaluation;

/// <summary>Reading, writing and validating detections files in the golden layout.</summary>
public sealed class MetricsFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("metrics-file-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SavedAccumulatorReadsBackWithIdenticalDetectionsNamesAndMetrics()
    {
        var golden = MetricsFile.Read(SharedData.Golden("metrics_golden.json"));
        var accumulator = new MetricsAccumulator(golden.ClassCount);
        foreach (var (image, index) in golden.Images.Select((image, index) => (image, index)))
            accumulator.AddImage(image.Predictions, image.Labels, $"img{index}.jpg");
        string[] names = ["a", "b", "c", "d", "e", "f"];
        var path = Path.Combine(_dir, "detections.json");

        accumulator.Save(path, names);
        var read = MetricsFile.Read(path);

        Assert.Equal(names, read.Names);
        Assert.Equal(DetectionDType.Float32, read.DType);
        Assert.Equal(golden.Images.Count, read.Images.Count);
        for (var i = 0; i < golden.Images.Count; i++)
        {
            Assert.Equal(golden.Images[i].Labels, read.Images[i].Labels);
            Assert.Equal(golden.Images[i].Predictions, read.Images[i].Predictions);
            Assert.Equal($"img{i}.jpg", read.Images[i].Name);
        }
        var computed = accumulator.Compute();
        Assert.Equal(computed.Maps, read.Expected!.Maps);
        Assert.Equal(computed.Map, read.Score().Map);
        Assert.Equal(golden.Expected!.Map, read.Expected.Map, 9);
    }

    [Fact]
    public void Float64DTypeSurvivesTheRoundTrip()
    {
        var path = Path.Combine(_dir, "f64.json");
        new MetricsFile(2, [new MetricsImage(new double[0, 5], new double[0, 6])]) { DType = DetectionDType.Float64 }.Write(path);

        Assert.Equal(DetectionDType.Float64, MetricsFile.Read(path).DType);
    }

    [Theory]
    [InlineData("not json at all", "not valid JSON")]
    [InlineData("[1, 2]", "not a JSON object")]
    [InlineData("{\"images\": []}", "'nc'")]
    [InlineData("{\"nc\": 2}", "'images'")]
    [InlineData("{\"nc\": 2, \"images\": [{\"labels\": [[0, 1, 2, 3]], \"predictions\": []}]}", "images[0].labels[0]")]
    [InlineData("{\"nc\": 2, \"images\": [{\"labels\": [], \"predictions\": [[0, 0, 1, 1, 0.5, 7]]}]}", "class 7")]
    [InlineData("{\"nc\": 2, \"images\": [{\"labels\": [[0.5, 0, 0, 1, 1]], \"predictions\": []}]}", "class 0.5")]
    [InlineData("{\"nc\": 2, \"images\": [{\"labels\": [], \"predictions\": [[0, \"x\", 1, 1, 0.5, 0]]}]}", "images[0].predictions[0][1]")]
    [InlineData("{\"nc\": 2, \"names\": [\"a\"], \"images\": []}", "'names'")]
    [InlineData("{\"nc\": 2, \"dtype\": \"float16\", \"images\": []}", "'dtype'")]
    public void MalformedFileIsRejectedWithOneLineNamingTheFileAndTheProblem(string content, string problem)
    {
        var path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, content);

        var error = Assert.Throws<MetricsFileException>(() => MetricsFile.Read(path));

        Assert.StartsWith(path, error.Message);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void MissingFileIsRejectedNamingIt()
    {
        var path = Path.Combine(_dir, "missing.json");

        var error = Assert.Throws<MetricsFileException>(() => MetricsFile.Read(path));

        Assert.StartsWith(path, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
