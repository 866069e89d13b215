using PruneCluster.Engine.Models;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Training;

/// <summary><c>train --format</c> and train's Ctrl-C: exit 130, the run keeps its last finished epoch and resumes.</summary>
public sealed class TrainFormatCliTests
{
    [Fact]
    public void FormatStateDictWritesLastAndBestAsStateDictsAndACtrlCRunResumesFromThem()
    {
        using var data = new TempFolder();
        var yaml = BccdSlice.Write(data.Path, 4);
        using var runs = new TempFolder();
        string[] args = ["train", "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"), "--data", yaml, "--epochs", "2", "--batch-size", "4",
            "--img", "64", "--workers", "1", "--project", runs.Path, "--name", "r", "--format", "state-dict"];
        var folder = Path.Combine(runs.Path, "r");
        var last = Path.Combine(folder, "weights", "last.pt");
        var best = Path.Combine(folder, "weights", "best.pt");

        // Interrupted once the first epoch's row is printed (the second epoch is running).
        var interrupted = CliRunner.RunUntil(args, line => line.TrimStart().StartsWith("1/2 ", StringComparison.Ordinal), watchStdout: true);
        Assert.True(interrupted.ExitCode == 130, $"exit {interrupted.ExitCode}: {interrupted.Stderr}");
        Assert.Contains($"interrupted: {folder} keeps its last finished epoch", interrupted.Stderr);
        Assert.Contains("--resume", interrupted.Stderr);
        Assert.Equal(ModelFileFormat.StateDict, ModelFile.Layout(last));
        Assert.Equal(ModelFileFormat.StateDict, ModelFile.Layout(best));

        var resumed = CliRunner.Run("train", "--resume", "--project", runs.Path, "--name", "r");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("resuming", resumed.Stderr);
        Assert.Contains("   2/2 ", resumed.Stdout);
        Assert.Equal(ModelFileFormat.StateDict, ModelFile.Layout(last));
        Assert.Equal(ModelFileFormat.StateDict, ModelFile.Layout(best));
        using var model = ModelFile.Load(best);
        Assert.Equal(3, model.Model.Nc);
    }

    [Fact]
    public void WithoutFormatLastAndBestKeepYolov7sLayout()
    {
        using var data = new TempFolder();
        var yaml = BccdSlice.Write(data.Path, 4);
        using var runs = new TempFolder();
        var run = CliRunner.Run("train", "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"), "--data", yaml, "--epochs", "1", "--batch-size", "4",
            "--img", "64", "--workers", "1", "--project", runs.Path, "--name", "r");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(ModelFileFormat.Yolov7, ModelFile.Layout(Path.Combine(runs.Path, "r", "weights", "last.pt")));
        Assert.Equal(ModelFileFormat.Yolov7, ModelFile.Layout(Path.Combine(runs.Path, "r", "weights", "best.pt")));
    }

    [Fact]
    public void AnUnknownFormatIsOneLineBeforeAnythingStarts()
    {
        using var runs = new TempFolder();
        var run = CliRunner.Run("train", "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"), "--data", "none.yaml", "--format", "onnx",
            "--project", runs.Path, "--name", "r");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("--format 'onnx' is not a checkpoint format; use one of yolov7, state-dict", run.Stderr.Trim().Replace("error: ", "", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(runs.Path, "r")));
    }
}
