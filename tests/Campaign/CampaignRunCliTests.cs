using System.Text.Json;
using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Data.Synthetic;
using PruneCluster.Engine.Models;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Campaign;

/// <summary>
/// <c>prunecluster campaign run</c> end to end on a tiny synthetic set (64 px, one rate, one epoch, two iterations):
/// interrupted with Ctrl-C (SIGINT) during the first fine-tuning, resumed, and its report checked against campaign.json.
/// </summary>
public sealed class CampaignRunCliTests
{
    private static readonly string Golden = SharedData.Golden("bccd-yolov7-tiny.pt");

    private const string Config = """
        sensitivity:
          rates: [0.5]
          img: 64
          batch: 4
        selection:
          mode: target
          gflops_step: 0.1
        fine_tune:
          epochs: 1
          batch_size: 4
        stop:
          max_iterations: 2
        """;

    private static string Data(TempFolder folder) =>
        SyntheticDataset.Write(folder.File("synth"), new SyntheticDatasetOptions { Images = 10, Classes = 3, ImageSize = 64, Seed = 2, ValFraction = 0.2 }).DataYaml;

    [Fact]
    public void AnInterruptedCampaignResumesAndReportsWhatItsRecordHolds()
    {
        using var folder = new TempFolder();
        var data = Data(folder);
        var config = folder.File("campaign.yaml");
        File.WriteAllText(config, Config);
        var output = folder.File("out");
        string[] args = ["campaign", "run", "--weights", Golden, "--data", data, "--config", config, "--out", output];

        var interrupted = CliRunner.RunUntil(args, line => line.Contains("iteration 1, fine-tune", StringComparison.Ordinal));
        Assert.True(interrupted.ExitCode == 130, interrupted.Stderr);
        Assert.Contains("interrupted:", interrupted.Stderr);
        var saved = CampaignRecordFile.Load(Path.Combine(output, "campaign.json"));
        Assert.True(saved.Cancelled);
        Assert.NotNull(saved.Iterations[0].Pruned);
        Assert.Null(saved.Iterations[0].FineTuned);

        var resumed = CliRunner.Run(args);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("resuming campaign", resumed.Stderr);
        Assert.Contains("iteration 1, fine-tune", resumed.Stderr);
        Assert.DoesNotContain("iteration 1, sensitivity", resumed.Stderr);

        var record = CampaignRecordFile.Load(Path.Combine(output, "campaign.json"));
        Assert.False(record.Cancelled);
        Assert.Equal(2, record.Iterations.Count(i => i.IsComplete));
        foreach (var it in record.Iterations)
        {
            var dir = Path.Combine(output, $"iteration-{it.Number}");
            foreach (var file in new[] { "sensitivity/output_50.txt", "sensitivity/analysis.json", "selection.json", "pruned.pt", "finetune/results.csv", "finetuned.pt" })
                Assert.True(File.Exists(Path.Combine(dir, file)), $"{dir}/{file} is missing");
            Assert.Equal(Path.Combine(dir, "finetuned.pt"), it.FineTuned!.Checkpoint);
            Assert.Equal(ModelFileFormat.Yolov7, ModelFile.Layout(Path.Combine(dir, "pruned.pt")));
            Assert.Equal(ModelFileFormat.Yolov7, ModelFile.Layout(Path.Combine(dir, "finetuned.pt")));
            Assert.True(it.Pruned!.Gflops < it.Input.Gflops);
        }
        Assert.Equal(record.Iterations[0].FineTuned, record.Iterations[1].Input);

        foreach (var file in CampaignReport.FileNames)
            Assert.True(File.Exists(Path.Combine(output, file)), $"{file} is missing");
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        var rows = report.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(3, rows.Count); // baseline and two iterations
        Assert.Equal(record.Baseline!.Params, rows[0].GetProperty("after").GetProperty("params").GetInt64());
        for (var k = 1; k <= 2; k++)
        {
            var it = record.Iterations[k - 1];
            Assert.Equal(it.FineTuned!.Map, rows[k].GetProperty("after").GetProperty("map").GetDouble());
            Assert.Equal(it.Pruned!.Gflops, rows[k].GetProperty("before").GetProperty("gflops").GetDouble());
            Assert.Equal(1 - (double)it.FineTuned.Params / record.Baseline.Params, rows[k].GetProperty("sparsity").GetDouble(), 12);
            // The interrupted fine-tuning's time counts too.
            Assert.True(rows[k].GetProperty("seconds").GetProperty("fine-tune").GetDouble() > 0);
        }
        var markdown = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains(record.Iterations[1].FineTuned!.Params.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), markdown);
        Assert.Contains("data:image/png;base64,", File.ReadAllText(Path.Combine(output, "report.html")));

        // A finished campaign run again only rewrites its report.
        var again = CliRunner.Run(args);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("campaign finished", again.Stdout);

        // The same folder with other settings is refused in one line.
        File.WriteAllText(config, Config.Replace("max_iterations: 2", "max_iterations: 3", StringComparison.Ordinal));
        AssertBadInput(CliRunner.Run(args), "other settings");
    }

    [Fact]
    public void OutputFormatStateDictWritesThePrunedAndFineTunedModelsAsStateDicts()
    {
        using var folder = new TempFolder();
        var data = Data(folder);
        var config = folder.File("campaign.yaml");
        File.WriteAllText(config, Config.Replace("max_iterations: 2", "max_iterations: 1", StringComparison.Ordinal) + "\noutput:\n  format: state-dict\n");
        var output = folder.File("out");

        var run = CliRunner.Run("campaign", "run", "--weights", Golden, "--data", data, "--config", config, "--out", output);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var record = CampaignRecordFile.Load(Path.Combine(output, "campaign.json"));
        Assert.Equal(ModelFileFormat.StateDict, record.Spec.Output.Format);
        var dir = Path.Combine(output, "iteration-1");
        Assert.Equal(ModelFileFormat.StateDict, ModelFile.Layout(Path.Combine(dir, "pruned.pt")));
        Assert.Equal(ModelFileFormat.StateDict, ModelFile.Layout(Path.Combine(dir, "finetuned.pt")));
        // The fine-tuning run inside keeps train's own layout; the kept model holds its weights.
        Assert.Equal(ModelFileFormat.Yolov7, ModelFile.Layout(Path.Combine(dir, "finetune", "weights", "best.pt")));
        using var kept = ModelFile.Load(Path.Combine(dir, "finetuned.pt"));
        using var best = ModelFile.Load(Path.Combine(dir, "finetune", "weights", "best.pt"));
        var a = Engine.Models.StateDict.Ordered(kept.Model).ToList();
        var b = Engine.Models.StateDict.Ordered(best.Model).ToList();
        Assert.Equal(b.Select(kv => kv.Key), a.Select(kv => kv.Key));
        Assert.All(a.Zip(b), pair => Assert.True(pair.First.Value.allclose(pair.Second.Value, rtol: 0, atol: 0), pair.First.Key));
    }

    [Fact]
    public void BadSpecDataOrWeightsAreOneLineAndExitCode2()
    {
        using var folder = new TempFolder();
        var data = Data(folder);
        var config = folder.File("bad.yaml");
        File.WriteAllText(config, "fine_tune:\n  epoch: 3\n");
        AssertBadInput(CliRunner.Run("campaign", "run", "--weights", Golden, "--data", data, "--config", config, "--out", folder.File("a")), "fine_tune.epoch");
        AssertBadInput(CliRunner.Run("campaign", "run", "--weights", Golden, "--data", folder.File("none.yaml"), "--out", folder.File("b")), "none.yaml");
        var junk = folder.File("junk.pt");
        File.WriteAllText(junk, "not a checkpoint");
        AssertBadInput(CliRunner.Run("campaign", "run", "--weights", junk, "--data", data, "--out", folder.File("c")), "junk.pt");
        Assert.False(Directory.Exists(folder.File("c")), "a campaign whose weights do not load must not leave a folder");
        var wrongClasses = Path.Combine(Path.GetDirectoryName(data)!, "four.yaml"); // beside data.yaml: its paths are relative
        File.WriteAllText(wrongClasses, File.ReadAllText(data).Replace("nc: 3", "nc: 4", StringComparison.Ordinal).Replace("]", ", 'x']", StringComparison.Ordinal));
        AssertBadInput(CliRunner.Run("campaign", "run", "--weights", Golden, "--data", wrongClasses, "--out", folder.File("d")), "classes");
    }

    private static void AssertBadInput(CliRunner.Result run, string mention)
    {
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stderr}");
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, run.Stderr);
        Assert.Contains(mention, lines[0]);
    }
}
