using PruneCluster.Engine.Data;
using PruneCluster.Engine.Data.Synthetic;
using PruneCluster.Tests.Evaluation;

namespace PruneCluster.Tests.Cli;

/// <summary><c>prunecluster dataset synth</c> run as a user runs it.</summary>
public sealed class DatasetSynthCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("prunecluster-synth-cli-").FullName;

    [Fact]
    public void WritesADataSetThatTheLoaderReadsAndReportsWhatItWrote()
    {
        var folder = Path.Combine(_root, "set");
        var run = PruneclusterProcess.Run("dataset", "synth", "--out", folder, "--images", "12", "--classes", "3", "--img", "96", "--seed", "5", "--val-fraction", "0.25");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"wrote 12 images (9 train, 3 val) of 96x96 to {folder}", run.Stdout);
        Assert.Contains("objects per class (train/val): circle ", run.Stdout);
        Assert.Contains("[12/12] images", run.Stderr); // progress lines when stderr is not a terminal
        var data = DataYaml.Load(Path.Combine(folder, "data.yaml"));
        Assert.Equal(["circle", "square", "triangle"], data.Names);
        using var val = ValidationSet.Load(data, "val", 96, 4, options: new ValidationSetOptions());
        Assert.Empty(val.Issues);
        Assert.Equal(3, val.Images.Count);

        // Run again on the same folder: refused without --overwrite, replaced with it.
        var again = PruneclusterProcess.Run("dataset", "synth", "--out", folder, "--images", "4", "--img", "96");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("--overwrite", again.Stderr);
        var replaced = PruneclusterProcess.Run("dataset", "synth", "--out", folder, "--images", "4", "--img", "96", "--overwrite");
        Assert.True(replaced.ExitCode == 0, replaced.Stderr);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(folder, "images"), "*.png", SearchOption.AllDirectories).Length);
    }

    public static TheoryData<string[], string> BadOptions => new()
    {
        { ["--classes", "9"], "--classes 9" },
        { ["--classes", "0"], "--classes 0" },
        { ["--images", "1"], "--images 1" },
        { ["--img", "300"], "--img 300" },
        { ["--val-fraction", "1.5"], "--val-fraction 1.5" },
        { ["--images", "many"], "many" },
        { ["--object-size", "0.5"], "--object-size 0.5: give MIN,MAX" },
        { ["--object-size", "0.5,0.2"], "--object-size 0.5,0.2" },
        { ["--object-size", "0,0.2"], "0 < MIN <= MAX <= 1" },
        { ["--max-objects", "0"], "--max-objects 0" },
        { ["--min-visible", "0"], "--min-visible 0" },
        { ["--kinds", "circle,oval"], "--kinds circle,oval: use names from circle, square" },
        { ["--kinds", "ring,ring"], "--kinds ring,ring: name each shape kind once" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void BadOptionsGiveOneLineAndExitCode2BeforeWritingAnything(string[] options, string expected)
    {
        var folder = Path.Combine(_root, "never");
        var run = PruneclusterProcess.Run(["dataset", "synth", "--out", folder, .. options]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Stderr);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(Path.Exists(folder));
    }

    [Fact]
    public void KindsPicksTheLabelledShapesInClassOrder()
    {
        var folder = Path.Combine(_root, "kinds");
        var run = PruneclusterProcess.Run("dataset", "synth", "--out", folder, "--images", "6", "--kinds", "ring,Circle", "--img", "64");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("objects per class (train/val): ring ", run.Stdout);
        var data = DataYaml.Load(Path.Combine(folder, "data.yaml"));
        Assert.Equal(["ring", "circle"], data.Names);
        // The files are the generator's scenes for those options: class 0 is drawn as a ring, class 1 as a circle.
        var options = new SyntheticDatasetOptions { Images = 6, Kinds = [ShapeKind.Ring, ShapeKind.Circle], ImageSize = 64 };
        var objects = Enumerable.Range(0, 6).SelectMany(i => SyntheticSceneGenerator.Render(options, i).Objects).ToList();
        Assert.All(objects, o => Assert.Equal(o.ClassId == 0 ? ShapeKind.Ring : ShapeKind.Circle, o.Kind));
        Assert.Equal(2, objects.Select(o => o.ClassId).Distinct().Count());
        Assert.Equal(SyntheticSceneGenerator.Render(options, 5).LabelText(), File.ReadAllText(SyntheticDataset.LabelPath(folder, options, 5)));
    }

    [Fact]
    public void AMissingOutOrAFileAsOutIsRejected()
    {
        var missing = PruneclusterProcess.Run("dataset", "synth");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--out is required", missing.Stderr);

        var file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "x");
        var onFile = PruneclusterProcess.Run("dataset", "synth", "--out", file);
        Assert.Equal(2, onFile.ExitCode);
        Assert.Contains("is a file", onFile.Stderr);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
