using System.Text.Json;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Cli;

/// <summary>The paper's loop end to end through the CLI: sensitivity → select → prune, on a 2-image bccd slice.</summary>
public sealed class SensitivityCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("prunecluster-sa-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void SensitivityThenSelectThenPruneRunsThePapersLoop()
    {
        var yaml = BccdSlice.Write(folder, 2);
        var output = Path.Combine(folder, "sa");
        var weights = SharedData.Golden("bccd-yolov7-tiny.pt");

        // One rate keeps the run to 55 evaluations; the folder is still complete, so select and plots work.
        string[] sensitivityArgs = ["sensitivity", "--weights", weights, "--data", yaml, "--img", "64", "--out", output, "--pruning-rate", "0.5", "--json"];
        var sensitivity = CliRunner.Run(sensitivityArgs);
        Assert.True(sensitivity.ExitCode == 0, sensitivity.Stderr);
        foreach (var name in new[] { "output_50.txt", "analysis.json", "sensitivity.json", "sensitivity.csv", "map_drop_heatmap.png" })
            Assert.True(File.Exists(Path.Combine(output, name)), name);
        // Load(55) throws unless every one of the 55 layers is present at every rate.
        Assert.Equal([0.5], new SensitivityStore(output).Load(55).Rates);
        Assert.Contains("ETA", sensitivity.Stderr);

        var select = CliRunner.Run("select", "--output", output, "--weights", weights, "--json");
        Assert.True(select.ExitCode == 0, select.Stdout + select.Stderr);
        var selection = JsonDocument.Parse(select.Stdout).RootElement;
        var pasteable = selection.GetProperty("pruning_params").GetString()!;

        var prune = CliRunner.Run("prune", "--weights", weights, "--pruning-params", pasteable, "--save", Path.Combine(folder, "pruned.pt"));
        Assert.True(prune.ExitCode == 0, prune.Stderr);

        var again = CliRunner.Run(sensitivityArgs);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("55/55", again.Stderr);
        Assert.Contains("already holds all 55 results", again.Stderr);
    }
}
