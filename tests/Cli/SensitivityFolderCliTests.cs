using System.Diagnostics;
using System.Text.Json;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Cli;

/// <summary>
/// A sensitivity folder holds one analysis (issue 14 §1): runs with other settings are refused, runs with other layers
/// add to it and every report covers the whole folder; no-ops are marked; options are checked before any loading.
/// A 2-image bccd slice at 64 px and one rate keep each run to a few evaluations.
/// </summary>
public sealed class SensitivityFolderCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("prunecluster-sfolder-cli-").FullName;
    private static readonly string Weights = SharedData.Golden("bccd-yolov7-tiny.pt");

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string[] Sensitivity(string output, params string[] extra) =>
        ["sensitivity", "--weights", Weights, "--data", BccdSlice.Write(folder, 2), "--img", "64", "--out", output, "--pruning-rate", "0.5", "--no-plots", .. extra];

    private static string OneErrorLine(CliRunner.Result run)
    {
        Assert.Equal(2, run.ExitCode);
        Assert.DoesNotContain("   at ", run.Stderr);
        return Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void RunsWithOtherLayersAddUpRunsWithOtherSettingsAreRefusedAndRestartMovesTheOldAnalysisAside()
    {
        var output = Path.Combine(folder, "sa");
        Assert.Equal(0, CliRunner.Run(Sensitivity(output, "--layers", "52")).ExitCode);

        var added = CliRunner.Run(Sensitivity(output, "--layers", "53-54", "--json"));
        Assert.True(added.ExitCode == 0, added.Stderr);
        Assert.Contains("adding to", added.Stderr);
        var document = JsonDocument.Parse(added.Stdout).RootElement.GetProperty("document");
        Assert.Equal([52, 53, 54], document.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("layer").GetInt32()));
        Assert.Equal("3 of 55 layers at rate 0.5", document.GetProperty("coverage").GetString());
        var baseline = document.GetProperty("baseline");
        Assert.InRange(baseline.GetProperty("map").GetDouble(), 1e-6, 1);
        Assert.True(baseline.GetProperty("params_fused").GetInt64() > document.GetProperty("results")[0].GetProperty("params").GetInt64());
        Assert.Equal(3, JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "sensitivity.json"))).RootElement.GetProperty("results").GetArrayLength());
        Assert.StartsWith("layer,rate,", File.ReadAllLines(Path.Combine(output, "sensitivity.csv"))[0]);
        Assert.StartsWith("unpruned,", File.ReadAllLines(Path.Combine(output, "sensitivity.csv"))[1]);

        var before = File.ReadAllText(Path.Combine(output, "output_50.txt"));
        var refused = OneErrorLine(CliRunner.Run(Sensitivity(output, "--layers", "1", "--criterion", "1", "--batch", "8")));
        Assert.Contains("batch 32 → 8; criterion 0 → 1", refused);
        Assert.Contains("--restart", refused);
        Assert.Equal(before, File.ReadAllText(Path.Combine(output, "output_50.txt")));
        Assert.Contains("model sha256", OneErrorLine(CliRunner.Run(Sensitivity(output, "--weights", SharedData.Golden("yolov7-tiny-golden.pt")))));

        var restarted = CliRunner.Run(Sensitivity(output, "--layers", "1", "--criterion", "1", "--restart"));
        Assert.True(restarted.ExitCode == 0, restarted.Stderr);
        var previous = Assert.Single(Directory.GetDirectories(output, "previous-*"));
        Assert.Equal(before, File.ReadAllText(Path.Combine(previous, "output_50.txt")));
        Assert.Equal([1], SensitivityFile.Read(Path.Combine(output, "output_50.txt")).Select(r => r.Layer));
        Assert.Equal(1, new SensitivityFolder(output).ReadRecord()!.Identity.Criterion);
    }

    [Fact]
    public void RateThatWouldRemoveEveryFilterIsMarkedAsANoOp()
    {
        var output = Path.Combine(folder, "noop");
        // Layer 0 has 32 filters; at 0.99 all 32 would go, so the pruner leaves it alone.
        var run = CliRunner.Run(Sensitivity(output, "--layers", "0", "--pruning-rate", "0.99", "--json"));
        Assert.True(run.ExitCode == 0, run.Stderr);

        Assert.Contains("layer 0 at rate 0.99 pruned nothing (it would remove all 32 filters)", run.Stderr);
        var record = new SensitivityFolder(output).ReadRecord()!;
        Assert.Equal([new SensitivityNoOp(0, 0.99, 32)], record.NoOps);
        var line = Assert.Single(SensitivityFile.Read(Path.Combine(output, "output_99.txt")));
        Assert.Equal(record.Baseline!.ParamsFused, line.Params);
        var result = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("document").GetProperty("results")[0];
        Assert.True(result.GetProperty("no_op").GetBoolean());
    }

    [Theory]
    [InlineData("--pruning-rate", "[0.333]", "not a whole percent")]
    [InlineData("--pruning-rate", "[1.5]", "between 0 and 1")]
    [InlineData("--layers", "5-3", "reversed range; write it low to high, 3-5")]
    [InlineData("--conf", "1.5", "--conf 1.5")]
    [InlineData("--criterion", "9", "--criterion 9")]
    public void BadOptionsAreRejectedInOneLineBeforeTheModelIsRead(string option, string value, string expected)
    {
        // Not a checkpoint: had the model been read first, the error would be about it.
        var weights = Path.Combine(folder, "not-a-checkpoint.pt");
        File.WriteAllText(weights, "garbage");
        var output = Path.Combine(folder, "bad");
        var run = CliRunner.Run(["sensitivity", "--weights", weights, "--data", BccdSlice.Write(folder, 2), "--out", output, option, value]);
        Assert.Contains(expected, OneErrorLine(run));
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task CtrlCSaysWhatIsSavedAndTheNextRunSaysWhereItResumes()
    {
        var output = Path.Combine(folder, "interrupted");
        // A process started in the background inherits SIGINT ignored (as test runners often are), and .NET then never
        // sees Ctrl-C; python3 restores the default disposition before it runs the CLI, as a terminal would have it.
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])");
        foreach (var argument in new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "prunecluster.dll") }.Concat(Sensitivity(output, "--layers", "0-54", "--json")))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = new List<string>();
        // Interrupt once two evaluations are saved.
        while (process.StandardError.ReadLine() is { } line)
        {
            stderr.Add(line);
            if (line.StartsWith("[2/55]", StringComparison.Ordinal))
                Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        }
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)));
        await stdout;

        Assert.Equal(130, process.ExitCode);
        var saved = SensitivityFile.Read(Path.Combine(output, "output_50.txt")).Count;
        Assert.InRange(saved, 2, 54);
        Assert.Contains(stderr, l => l.StartsWith($"interrupted: {saved} results are saved in {output}", StringComparison.Ordinal) && l.Contains("run the same command again to resume"));

        var resumed = CliRunner.Run(Sensitivity(output, "--layers", $"0-{saved}"));
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains($"resuming {output}: {saved} of {saved + 1} results of this run already there; continuing at layer {saved}, rate 0.5", resumed.Stderr);
    }
}
