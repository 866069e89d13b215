using PruneCluster.Engine.Training.Loss;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Training;

public class TargetsFileTests
{
    [Fact]
    public void ReadsBothAPlainArrayAndTheGoldenFilesLayout()
    {
        using var folder = new TempFolder();
        var plain = folder.File("plain.json");
        File.WriteAllText(plain, "[[1, 2, 0.5, 0.5, 0.25, 0.125]]");

        using var fromPlain = TargetsFile.Read(plain, batchSize: 2, classes: 3);
        using var fromGolden = TargetsFile.Read(SharedData.Golden(LossGolden.File), batchSize: 2, classes: 80);

        Assert.Equal([1f, 2f, 0.5f, 0.5f, 0.25f, 0.125f], fromPlain.data<float>().ToArray());
        Assert.Equal(LossGolden.TargetValues, fromGolden.data<float>().ToArray());
    }

    [Theory]
    [InlineData("[[0, 3, 0.5, 0.5, 0.2, 0.2]]", "row 0: class 3 is not a class of the model (0..2)")]
    [InlineData("[[2, 0, 0.5, 0.5, 0.2, 0.2]]", "row 0: image index 2 is not an image of the batch (0..1)")]
    [InlineData("[[0, 0, 0.5, 0.5, 0.2]]", "row 0: expected 6 numbers")]
    [InlineData("[[0, 0, 0.5, 0.5, 0.2, 0.2], [0, 0, 1.5, 0.5, 0.2, 0.2]]", "row 1: xc, yc, w, h must be normalised")]
    [InlineData("{\"rows\": []}", "expected an array of rows")]
    [InlineData("[[0, 0, 0.5", "not valid JSON")]
    public void BadTargetsAreRejectedInOneLine(string text, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("t.json");
        File.WriteAllText(path, text);

        var e = Assert.Throws<InvalidDataException>(() => TargetsFile.Read(path, batchSize: 2, classes: 3));

        Assert.StartsWith($"--targets {path}: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
