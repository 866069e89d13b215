using PruneCluster.Tests.Checkpoints;

namespace PruneCluster.Tests.Campaign;

/// <summary><c>prunecluster demo</c> end to end at a tiny size: synthetic data, baseline, a two-iteration embedded campaign.</summary>
public sealed class DemoCliTests
{
    [Fact]
    public void TheDemoRunsTheWholeLoopWithNothingButItselfAndEndsWithTheTableAndTheReport()
    {
        using var folder = new TempFolder();
        var output = folder.File("demo");
        var run = Evaluation.PruneclusterProcess.Run("demo", "--out", output, "--images", "20", "--img", "64", "--baseline-epochs", "1", "--dashboard-port", "0");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("2 iterations done", run.Stdout);
        Assert.Contains("ranked by score", run.Stdout);
        Assert.Contains("      epoch 1/1: mAP@.5 ", run.Stderr); // the baseline's progress, one line per epoch
        var report = run.Stdout.Split('\n').Single(l => l.StartsWith("report: ", StringComparison.Ordinal))["report: ".Length..].Trim();
        Assert.StartsWith(Path.GetFullPath(output), report);
        Assert.Contains("2: fine-tuned", File.ReadAllText(report));
        // The baseline trained past train.py's warm-up floor would never have: its run records the lowered floor.
        var baseline = File.ReadAllText(Path.Combine(output, "baseline", "run.json"));
        Assert.Contains("\"min_warmup_iters\": 0", baseline);
        // From scratch it trains with Adam, a step every 8 images (train.py --adam, nbs 8).
        Assert.Contains("\"adam\": true", baseline);
        Assert.Contains("\"nominal_batch\": 8", baseline);
        Assert.Contains("\"hyp_name\": \"synth.adam.tiny\"", baseline);
        // The data set is the demo's easy one: circles and rings, at most three objects per image, 20-60 % of its size.
        var synth = File.ReadAllText(Path.Combine(output, "data", "synth.json"));
        Assert.Contains("\"max_objects\": 3", synth);
        Assert.Equal(["circle", "ring"], PruneCluster.Engine.Data.DataYaml.Load(Path.Combine(output, "data", "data.yaml")).Names);

        var again = Evaluation.PruneclusterProcess.Run("demo", "--out", output);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("is not empty", again.Stderr);

        var noThreads = Evaluation.PruneclusterProcess.Run("demo", "--out", folder.File("other"), "--threads", "0");
        Assert.Equal(2, noThreads.ExitCode);
        Assert.Contains("--threads 0: use 1 to the number of cores", noThreads.Stderr);
    }
}
