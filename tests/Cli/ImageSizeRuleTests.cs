using System.Text.Json;
using PruneCluster.Tests.Data;
using PruneCluster.Tests.Evaluation;

namespace PruneCluster.Tests.Cli;

/// <summary>
/// One --img rule for every command, YOLOv7's check_img_size: a size that is not a multiple of the model's max stride
/// is rounded up, with one warning line on stderr, and everything is then measured or run at the rounded size.
/// </summary>
public sealed class ImageSizeRuleTests
{
    private const string Warning = "warning: --img 170 must be a multiple of max stride 32, updating to 192";

    [Fact]
    public void Info_and_prune_at_170_report_the_gflops_of_192_with_one_warning()
    {
        var at192 = PruneclusterProcess.Run("info", "--cfg", "yolov7-tiny", "--img", "192", "--json");
        var at170 = PruneclusterProcess.Run("info", "--cfg", "yolov7-tiny", "--img", "170", "--json");
        using var save = new Checkpoints.TempFolder();
        var pruned = PruneclusterProcess.Run("prune", "--cfg", "yolov7-tiny", "--pruning-params", "[(8, 0.5)]",
            "--save", save.File("p.pt"), "--img", "170", "--json");

        Assert.True(at192.ExitCode == 0, at192.Stderr);
        Assert.Equal("", at192.Stderr);
        var expected = JsonDocument.Parse(at192.Stdout).RootElement;
        foreach (var run in new[] { at170, pruned })
        {
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Equal(Warning, run.Stderr.Trim());
        }
        var info = JsonDocument.Parse(at170.Stdout).RootElement;
        Assert.Equal(192, info.GetProperty("img").GetInt32());
        Assert.Equal(expected.GetProperty("gflops").GetDouble(), info.GetProperty("gflops").GetDouble());
        var prune = JsonDocument.Parse(pruned.Stdout).RootElement;
        Assert.Equal(expected.GetProperty("gflops").GetDouble(), prune.GetProperty("gflops_before").GetDouble());
        Assert.Equal(192, prune.GetProperty("stats").GetProperty("img").GetInt32());
    }

    [Fact]
    public void Test_at_170_evaluates_at_192_with_the_same_warning()
    {
        using var data = new TempDataset();
        data.AddImage("val", "a", "0 0.5 0.5 0.2 0.2\n");
        data.AddImage("val", "b", "1 0.4 0.4 0.3 0.3\n");
        var yaml = data.WriteYaml();

        var run = PruneclusterProcess.Run("test", "--data", yaml, "--weights", BccdGolden.Weights, "--img", "170", "--batch", "2", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(Warning, run.Stderr.Trim());
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(192, json.GetProperty("img").GetInt32());
        Assert.Equal(2, json.GetProperty("images").GetInt32());
    }
}
