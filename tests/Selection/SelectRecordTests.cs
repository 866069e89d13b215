using System.Text.Json;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Selection;

/// <summary><c>select</c> on folders with an analysis.json: baselines and no-ops from it, mixtures refused (exit 2, one line).</summary>
public sealed class SelectRecordTests
{
    private static readonly string Expected = "[(20, 0.75), (21, 0.75), (25, 0.75), (45, 0.75), (46, 0.75), (1, 0.75), (22, 0.75), (24, 0.75)]";

    // The golden files plus the record a prunecluster run at their settings would have written.
    private static SensitivityRecord RecordFor(IReadOnlyList<double> rates, IReadOnlyList<SensitivityNoOp>? noOps = null) => new(
        SensitivityRecord.CurrentFormat, SensitivityRecord.CurrentToolVersion, "yolov7-tiny-golden.pt", "coco.yaml",
        new SensitivityIdentity(FileDigest.Sha256(SharedData.Golden("yolov7-tiny-golden.pt")), new string('0', 64), 640, 32, 0.001, 0.65, 0, 0, "stored"),
        rates, 55, new SensitivityBaseline(0.6, 0.5, 0.55, 0.38, 6219098, 6219098, 13.2), noOps ?? []);

    private static TempFolder GoldenFolderWith(SensitivityRecord record)
    {
        var folder = new TempFolder();
        GoldenSensitivity.CopyTo(folder);
        new SensitivityFolder(folder.Path).WriteRecord(record);
        return folder;
    }

    private static string OneErrorLine(CliRunner.Result run)
    {
        Assert.Equal(2, run.ExitCode);
        Assert.DoesNotContain("   at ", run.Stderr);
        return Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void RecordSuppliesTheBaselinesSoThePapersListNeedsNoOptions()
    {
        using var folder = GoldenFolderWith(RecordFor([0.25, 0.5, 0.75]));
        var run = CliRunner.Run("select", "--output", folder.Path, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(Expected, json.GetProperty("pruning_params").GetString());
        Assert.Equal(6219098, json.GetProperty("baseline_params").GetInt64());
        Assert.Equal(640, json.GetProperty("img").GetInt32());
        Assert.DoesNotContain("no analysis.json", run.Stderr);
    }

    [Fact]
    public void RecordedNoOpIsExcludedAndListed()
    {
        using var folder = GoldenFolderWith(RecordFor([0.25, 0.5, 0.75], [new SensitivityNoOp(20, 0.75, 64)]));
        var run = CliRunner.Run("select", "--output", folder.Path, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.DoesNotContain(json.GetProperty("layers").EnumerateArray(), pair => pair[0].GetInt32() == 20 && pair[1].GetDouble() == 0.75);
        Assert.Equal(20, json.GetProperty("excluded")[0][0].GetInt32());
    }

    [Fact]
    public void FileWithARateTheRecordDoesNotKnowIsAMixture()
    {
        using var folder = GoldenFolderWith(RecordFor([0.25, 0.5]));
        var error = OneErrorLine(CliRunner.Run("select", "--output", folder.Path));
        Assert.Contains("output_75.txt", error);
        Assert.Contains("mixes runs", error);
    }

    [Fact]
    public void WeightsOtherThanTheRecordedModelAreRefused()
    {
        using var folder = GoldenFolderWith(RecordFor([0.25, 0.5, 0.75]));
        var error = OneErrorLine(CliRunner.Run("select", "--output", folder.Path, "--weights", SharedData.Golden("bccd-yolov7-tiny.pt")));
        Assert.Contains("not the model", error);
    }

    [Fact]
    public void LinesAtTwoImageSizesAreRefusedWithoutARecordToo()
    {
        using var folder = new TempFolder();
        GoldenSensitivity.CopyTo(folder);
        GoldenSensitivity.ReplaceLine(folder.File("output_50.txt"), 5, line => line.Replace(", 640, 640, 32)", ", 320, 320, 32)"));
        var error = OneErrorLine(CliRunner.Run("select", "--output", folder.Path, "--params", "6219098", "--flops", "13.2"));
        Assert.Contains("output_50.txt:5", error);
        Assert.Contains("img 320", error);
    }

    [Fact]
    public void EmptyFolderAndMissingLayersExitWithCode2()
    {
        using var empty = new TempFolder();
        Assert.Contains("no output_*.txt", OneErrorLine(CliRunner.Run("select", "--output", empty.Path, "--params", "5", "--flops", "1")));

        using var folder = GoldenFolderWith(RecordFor([0.25, 0.5, 0.75]));
        GoldenSensitivity.ReplaceLine(folder.File("output_25.txt"), 56, _ => null); // layer 54, the last line
        var error = OneErrorLine(CliRunner.Run("select", "--output", folder.Path));
        Assert.Contains("(54 of 55 present)", error);
    }
}
