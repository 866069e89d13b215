using System.Globalization;
using System.Text.Json;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Cli;

/// <summary><c>test --coco</c>, <c>--coco-annotations</c> and <c>metrics --coco</c> run as a user runs them, on small slices of the shared sets.</summary>
public sealed class CocoCliTests : IDisposable
{
    private static readonly string[] StatKeys =
        ["ap", "ap50", "ap75", "ap_small", "ap_medium", "ap_large", "ar1", "ar10", "ar100", "ar_small", "ar_medium", "ar_large"];

    private static readonly string Coco128Json = SharedData.Coco128Instances;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Test_coco_json_on_a_bccd_slice_has_the_twelve_stats_and_metrics_rescores_the_saved_predictions_identically()
    {
        var yaml = BccdSlice.Write(_folder.Path, 8);
        var saved = _folder.File("predictions.json");

        var run = CliRunner.Run("test", "--data", yaml, "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"), "--img", "320",
            "--coco", "--json", "--save-predictions", saved);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var coco = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("coco");
        var stats = StatKeys.Select(k => coco.GetProperty(k).GetDouble()).ToArray();
        Assert.All(stats, s => Assert.True(s is -1 or (>= 0 and <= 1), $"{s}"));
        Assert.True(stats[0] > 0 && stats[0] < stats[1], $"trained model: 0 < AP {stats[0]} < AP50 {stats[1]}");
        Assert.Equal(8, coco.GetProperty("images").GetInt32());

        // metrics --coco re-scores the saved file with the same labels and predictions: the same twelve numbers.
        var rescored = CliRunner.Run("metrics", "--input", saved, "--coco", "--json");
        Assert.True(rescored.ExitCode == 0, rescored.Stderr);
        var again = JsonDocument.Parse(rescored.Stdout).RootElement.GetProperty("coco");
        Assert.Equal(stats, StatKeys.Select(k => again.GetProperty(k).GetDouble()));

        // The text form: YOLOv7's table, then a heading and pycocotools' twelve lines with the same values.
        var text = CliRunner.Run("metrics", "--input", saved, "--coco");
        var lines = text.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var block = lines[^12..];
        Assert.StartsWith("COCO-style evaluation", lines[^13]);
        Assert.Equal(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = " +
            stats[0].ToString("F3", CultureInfo.InvariantCulture), block[0]);
        Assert.All(block, l => Assert.Matches(@"^ Average (Precision  \(AP\)|Recall     \(AR\)) @\[ IoU=0\.\d\d(:0\.95|     ) \| area=[ a-z]{6} \| maxDets=[ \d]{3} \] = -?\d\.\d{3}$", l));
    }

    [Fact]
    public void Test_with_coco_annotations_takes_the_labels_from_the_json_and_keeps_its_crowd_regions_for_coco()
    {
        // Six coco128 images, 000000000257.jpg among them (it has a crowd region); an 80-class model (random weights).
        var files = new[] { "000000000257.jpg", "000000000009.jpg", "000000000025.jpg", "000000000030.jpg", "000000000034.jpg", "000000000036.jpg" };
        var list = _folder.File("list.txt");
        File.WriteAllLines(list, files.Select(f => SharedData.Dataset("coco128/images/train2017/" + f)));
        var names = string.Join(", ", Enumerable.Range(0, 80).Select(i => $"c{i}"));
        var yaml = _folder.File("slice.yaml");
        File.WriteAllText(yaml, $"val: {list}\nnc: 80\nnames: [{names}]\n");

        // The json's own counts for these images: every annotation (COCO ground truth) and the non-crowd ones with a
        // real box (the YOLO labels that the conversion makes).
        using var document = JsonDocument.Parse(File.ReadAllText(Coco128Json));
        var ids = document.RootElement.GetProperty("images").EnumerateArray()
            .Where(i => files.Contains(i.GetProperty("file_name").GetString())).Select(i => i.GetProperty("id").GetInt64()).ToHashSet();
        var rows = document.RootElement.GetProperty("annotations").EnumerateArray().Where(a => ids.Contains(a.GetProperty("image_id").GetInt64())).ToList();
        var labels = rows.Count(a => a.GetProperty("iscrowd").GetInt32() == 0
            && a.GetProperty("bbox")[2].GetDouble() > 0 && a.GetProperty("bbox")[3].GetDouble() > 0);
        Assert.True(rows.Count > labels, "the slice must contain a crowd region");

        var saved = _folder.File("coco128-predictions.json");
        var run = CliRunner.Run("test", "--data", yaml, "--weights", SharedData.Golden("yolov7-tiny-golden.pt"), "--img", "160",
            "--coco", "--coco-annotations", Coco128Json, "--json", "--save-predictions", saved);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var root = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(labels, root.GetProperty("labels").GetInt32());
        var coco = root.GetProperty("coco");
        Assert.Equal((6, rows.Count), (coco.GetProperty("images").GetInt32(), coco.GetProperty("annotations").GetInt32()));
        Assert.All(StatKeys, k => Assert.InRange(coco.GetProperty(k).GetDouble(), -1.0, 1.0));
        Assert.Equal(Coco128Json, root.GetProperty("coco_annotations").GetString());

        // metrics re-scores the saved predictions against the same json: crowd regions and json areas included.
        var rescored = CliRunner.Run("metrics", "--input", saved, "--coco", "--coco-annotations", Coco128Json, "--json");
        var withoutJson = CliRunner.Run("metrics", "--input", saved, "--coco", "--json");
        Assert.True(rescored.ExitCode == 0, rescored.Stderr);
        var again = JsonDocument.Parse(rescored.Stdout).RootElement.GetProperty("coco");
        Assert.Equal(StatKeys.Select(k => coco.GetProperty(k).GetDouble()), StatKeys.Select(k => again.GetProperty(k).GetDouble()));
        Assert.Equal(rows.Count, again.GetProperty("annotations").GetInt32());
        Assert.Equal(labels, JsonDocument.Parse(withoutJson.Stdout).RootElement.GetProperty("coco").GetProperty("annotations").GetInt32());
    }

    [Fact]
    public void Missing_coco_annotations_file_is_one_line_naming_it()
    {
        var missing = _folder.File("missing.json");

        var run = CliRunner.Run("test", "--data", SharedData.Dataset("bccd/bccd.yaml"), "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"),
            "--coco-annotations", missing);

        AssertOneErrorLine(run, missing);
    }

    [Fact]
    public void Corrupt_coco_annotations_file_is_one_line_naming_it_and_the_fix()
    {
        var corrupt = _folder.File("instances_val.json");
        File.WriteAllText(corrupt, "{\"images\": [");

        var run = CliRunner.Run("test", "--data", SharedData.Dataset("bccd/bccd.yaml"), "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"),
            "--coco", "--coco-annotations", corrupt);

        var line = AssertOneErrorLine(run, corrupt);
        Assert.Contains("pass an instances_", line);
    }

    [Fact]
    public void Coco_annotations_of_other_images_are_one_line_naming_the_json_and_the_fix()
    {
        var json = _folder.File("instances_other.json");
        File.WriteAllText(json, """
            {"categories": [{"id": 1, "name": "RBC"}, {"id": 2, "name": "WBC"}, {"id": 3, "name": "Platelets"}],
             "images": [{"id": 1, "file_name": "someone_else.jpg", "width": 640, "height": 480}], "annotations": []}
            """);

        var run = CliRunner.Run("test", "--data", SharedData.Dataset("bccd/bccd.yaml"), "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"),
            "--coco", "--coco-annotations", json);

        var line = AssertOneErrorLine(run, json);
        Assert.Contains("does not list 87 of the 87 images", line);
        Assert.Contains("pass the instances json of that split", line);
    }

    private static string AssertOneErrorLine(CliRunner.Result run, string mentioned)
    {
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(mentioned, line);
        Assert.Equal("", run.Stdout);
        return line;
    }
}
