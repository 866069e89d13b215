using System.Text.Json;
using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Data.Synthetic;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Training;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Campaign;

/// <summary>
/// The campaign's phases against the commands a user would run by hand. Measure and prune use a slice of bccd with
/// the trained bccd model (so mAP is not zero); fine-tuning uses a small synthetic set (only repeatability matters).
/// </summary>
public sealed class CampaignPhasesTests
{
    private static readonly string Golden = SharedData.Golden("bccd-yolov7-tiny.pt");

    private static CampaignSpec Spec(int img, int batch, int epochs = 2) => CampaignSpec.Default with
    {
        Sensitivity = new SensitivitySpec(Img: img, Batch: batch, Conf: 0.001, Iou: 0.65),
        FineTune = new FineTuneSpec(Epochs: epochs, BatchSize: 4),
    };

    private static JsonElement TestJson(string weights, string yaml)
    {
        var run = CliRunner.Run("test", "--weights", weights, "--data", yaml, "--img", "128", "--batch", "4", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonDocument.Parse(run.Stdout).RootElement;
    }

    private static void AssertSameAsTest(ModelMetrics measured, JsonElement test)
    {
        Assert.Equal(test.GetProperty("params_fused").GetInt64(), measured.Params);
        Assert.Equal(test.GetProperty("gflops").GetDouble(), measured.Gflops, 9);
        Assert.Equal(test.GetProperty("map50").GetDouble(), measured.Map50, 12);
        Assert.Equal(test.GetProperty("map").GetDouble(), measured.Map, 12);
    }

    [Fact]
    public void MeasureGivesTestsNumbersAndPruneGivesThoseOfPrunesSavedFile()
    {
        using var folder = new TempFolder();
        var yaml = BccdSlice.Write(folder.Path, 8);
        var phases = new CampaignPhases(Spec(128, 4), yaml);

        var baseline = phases.Measure(Golden);
        AssertSameAsTest(baseline, TestJson(Golden, yaml));
        Assert.True(baseline.Map > 0.05, $"the bccd model should find cells: mAP {baseline.Map}");
        Assert.Equal(Path.GetFullPath(Golden), baseline.Checkpoint);

        LayerRate[] layers = [new(3, 0.5), new(10, 0.25)];
        var byPhase = folder.File("phase.pt");
        var pruned = phases.Prune(Golden, layers, byPhase);
        // Repeating a phase (a retried job) gives the same file and numbers.
        Assert.Equal(pruned with { Checkpoint = "" }, phases.Prune(Golden, layers, byPhase) with { Checkpoint = "" });
        var byCli = folder.File("cli.pt");
        var prune = CliRunner.Run("prune", "--weights", Golden, "--pruning-params", PruningParams.Format(layers), "--img", "128", "--save", byCli);
        Assert.True(prune.ExitCode == 0, prune.Stderr);
        AssertSameAsTest(pruned, TestJson(byCli, yaml));
        Assert.True(pruned.Params < baseline.Params && pruned.Gflops < baseline.Gflops);

        using var a = ModelFile.Load(byPhase);
        using var b = ModelFile.Load(byCli);
        Assert.Equal(b.History.Steps.Select(s => (s.Layer, s.Kept.ToArray())), a.History.Steps.Select(s => (s.Layer, s.Kept.ToArray())), new StepComparer());
        var expected = StateDict.Ordered(b.Model).ToList();
        var actual = StateDict.Ordered(a.Model).ToList();
        Assert.Equal(expected.Select(kv => kv.Key), actual.Select(kv => kv.Key));
        for (var i = 0; i < expected.Count; i++)
            Assert.True(expected[i].Value.allclose(actual[i].Value, rtol: 0, atol: 0), $"{expected[i].Key} differs from prune's");
    }

    [Fact]
    public void BadInputIsOneClearError()
    {
        using var folder = new TempFolder();
        var yaml = BccdSlice.Write(folder.Path, 2);
        var phases = new CampaignPhases(Spec(128, 4), yaml);
        var missing = Assert.Throws<FileNotFoundException>(() => phases.Measure(folder.File("none.pt")));
        Assert.Contains("none.pt", missing.Message);
        var layer = Assert.Throws<PruningException>(() => phases.Prune(Golden, [new LayerRate(999, 0.5)], folder.File("x.pt")));
        Assert.Contains("layer 999 does not exist", layer.Message);
        Assert.False(File.Exists(folder.File("x.pt")));
        Assert.Throws<NotSupportedException>(() => new CampaignPhases(Spec(128, 4), yaml, "tpu"));
    }

    [Fact]
    public void AnInterruptedFineTuneResumesAndEndsAsAnUninterruptedOne()
    {
        using var folder = new TempFolder();
        var summary = SyntheticDataset.Write(folder.File("synth"), new SyntheticDatasetOptions { Images = 10, Classes = 3, ImageSize = 64, Seed = 5, ValFraction = 0.2 });
        var phases = new CampaignPhases(Spec(64, 4), summary.DataYaml);
        var pruned = folder.File("pruned.pt");
        phases.Prune(Golden, [new LayerRate(5, 0.5)], pruned);

        var straight = phases.FineTune(pruned, folder.File("straight"));

        var run = folder.File("interrupted");
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => phases.FineTune(pruned, run, new Progress(p =>
        {
            if (p.Validated is not null)
                cancel.Cancel(); // after epoch 1 of 2 is saved
        }), cancel.Token));
        Assert.Single(new TrainingRunFolder(run, "{}").ReadResults());
        var resumed = phases.FineTune(pruned, run);
        Assert.Equal(straight with { Checkpoint = "" }, resumed with { Checkpoint = "" });
        Assert.Equal(Path.Combine(run, "weights", "best.pt"), resumed.Checkpoint);
        using (var a = ModelFile.Load(folder.File("straight/weights/last.pt")))
        using (var b = ModelFile.Load(Path.Combine(run, "weights", "last.pt")))
        {
            foreach (var ((key, x), (_, y)) in StateDict.Ordered(a.Model).Zip(StateDict.Ordered(b.Model)))
                Assert.True(x.allclose(y, rtol: 0, atol: 0), $"{key} differs after resume");
        }

        // A finished run is measured again, not retrained.
        var results = Path.Combine(run, "results.csv");
        var written = File.GetLastWriteTimeUtc(results);
        Assert.Equal(resumed, phases.FineTune(pruned, run, new Progress(_ => Assert.Fail("a finished run trained again"))));
        Assert.Equal(written, File.GetLastWriteTimeUtc(results));

        // Another input in the same folder is refused, not mixed.
        var other = Assert.Throws<InvalidDataException>(() => phases.FineTune(Golden, run));
        Assert.Contains("another checkpoint or recipe", other.Message);
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    private sealed class StepComparer : IEqualityComparer<(int Layer, long[] Kept)>
    {
        public bool Equals((int Layer, long[] Kept) x, (int Layer, long[] Kept) y) => x.Layer == y.Layer && x.Kept.SequenceEqual(y.Kept);

        public int GetHashCode((int Layer, long[] Kept) obj) => obj.Layer;
    }
}
