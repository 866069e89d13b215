using System.Text.Json;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Evaluation;

/// <summary><c>prunecluster test</c> run as a user runs it: the built dll in its own process.</summary>
public sealed class TestCommandTests
{
    [Fact]
    public void Model_with_80_classes_on_the_3_class_bccd_yaml_fails_with_one_line_naming_both_files()
    {
        var weights = SharedData.Golden("yolov7-tiny-golden.pt");

        var run = PruneclusterProcess.Run("test", "--data", BccdGolden.DataYaml, "--weights", weights, "--img", "320");

        Assert.Equal(UserErrors.BadInput, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(weights, line);
        Assert.Contains(Path.GetFullPath(BccdGolden.DataYaml), line);
        Assert.Contains("80", line);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void Data_yaml_without_the_requested_split_fails_with_one_line_naming_the_yaml()
    {
        using var folder = new TempFolder();
        var yaml = folder.File("train-only.yaml");
        File.WriteAllText(yaml, $"train: {SharedData.Dataset("bccd/images/train")}\nnc: 3\nnames: [RBC, WBC, Platelets]\n");

        var run = PruneclusterProcess.Run("test", "--data", yaml, "--weights", BccdGolden.Weights);

        Assert.Equal(UserErrors.BadInput, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(yaml, line);
        Assert.Contains("'val:'", line);
    }

    [Fact]
    public void Missing_data_yaml_fails_before_loading_anything()
    {
        var run = PruneclusterProcess.Run("test", "--data", "/nonexistent/data.yaml", "--weights", BccdGolden.Weights);

        Assert.Equal(UserErrors.BadInput, run.ExitCode);
        Assert.Contains("/nonexistent/data.yaml", run.Stderr);
    }

    [Fact]
    public void Pruned_model_scores_below_the_golden_unpruned_map_and_its_saved_predictions_rescore_identically()
    {
        using var folder = new TempFolder();
        var saved = Path.Combine(folder.Path, "not", "yet", "pruned.json"); // test creates the folder, as prune --save does

        var run = PruneclusterProcess.Run("test", "--data", BccdGolden.DataYaml, "--weights", BccdGolden.Weights,
            "--img", "320", "--batch", "32", "--conf", "0.001", "--iou", "0.65",
            "--pruning-params", "[(10, 0.5), (20, 0.5)]", "--criterion", "0", "--json", "--save-predictions", saved);

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        var map = root.GetProperty("map").GetDouble();
        Assert.True(map < BccdGolden.Map - 0.005, $"pruned map {map} vs unpruned {BccdGolden.Map}: expected at least half a point lower");
        Assert.True(root.GetProperty("params").GetInt64() < BccdGolden.FusedParams);
        Assert.Equal(2, root.GetProperty("pruned_layers").GetInt32());
        Assert.Equal(BccdGolden.Images, root.GetProperty("images").GetInt32());
        Assert.Equal(BccdGolden.Labels, root.GetProperty("labels").GetInt64());
        Assert.True(root.GetProperty("speed_ms").GetProperty("total").GetDouble() > 0);
        Assert.True(root.GetProperty("gflops").GetDouble() > 0);

        var rescored = MetricsFile.Read(saved).Score();
        Assert.Equal(root.GetProperty("mp").GetDouble(), rescored.Mp);
        Assert.Equal(root.GetProperty("mr").GetDouble(), rescored.Mr);
        Assert.Equal(root.GetProperty("map50").GetDouble(), rescored.Map50);
        Assert.Equal(map, rescored.Map);
        Assert.Equal(root.GetProperty("maps").EnumerateArray().Select(e => e.GetDouble()), rescored.Maps);
    }
}
