using System.Text.Json;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Evaluation;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Training;

public class LossCommandTests
{
    [Fact]
    public void LossCommandPrintsTheGoldenOtaLossForTheGoldenFileAsTargets()
    {
        var run = PruneclusterProcess.Run("loss", "--weights", LossGolden.Checkpoint, "--input", LossGolden.Input,
            "--targets", SharedData.Golden(LossGolden.File), "--hyp", "scratch.tiny", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.True(json.GetProperty("ota").GetBoolean());
        LossGolden.AssertClose(LossGolden.Expected(ota: true), new[] { "loss", "lbox", "lobj", "lcls" }.Select(k => json.GetProperty(k).GetDouble()).ToArray());
    }

    [Theory]
    [InlineData("class", "row 0: class 80 is not a class of the model (0..79)")]
    [InlineData("hyp", "hyp.yaml: missing key 'lr0'")]
    [InlineData("both", "--ota and --no-ota exclude each other")]
    public void BadInputGivesOneLineAndExitCode2(string what, string expected)
    {
        using var folder = new TempFolder();
        var targets = folder.File("t.json");
        File.WriteAllText(targets, what == "class" ? "[[0, 80, 0.5, 0.5, 0.2, 0.2]]" : "[[0, 1, 0.5, 0.5, 0.2, 0.2]]");
        var hyp = folder.File("hyp.yaml");
        File.WriteAllText(hyp, "box: -1\n");
        string[] args = ["loss", "--weights", LossGolden.Checkpoint, "--input", LossGolden.Input, "--targets", targets];
        args = what switch
        {
            "hyp" => [.. args, "--hyp", hyp],
            "both" => [.. args, "--ota", "--no-ota"],
            _ => args,
        };

        var run = PruneclusterProcess.Run(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }
}
