using System.Text.Json;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Models;
using PruneCluster.Tests.Support;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Cli;

public sealed class PruneCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("prunecluster-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void PruneSavesAModelThatReloadsWithItsPrunedArchitectureAndHistory()
    {
        var saved = Path.Combine(folder, "pruned.pt");
        var result = CliRunner.Run("prune", "--weights", SharedData.Golden("yolov7-tiny-golden.pt"),
            "--pruning-params", "[(8, 0.5), (18, 0.5), (28, 0.75)]", "--save", saved, "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal([8, 18, 28], json.GetProperty("pruned").EnumerateArray().Select(p => p.GetProperty("layer").GetInt32()));
        using var reloaded = ModelFile.Load(saved);
        Assert.Equal(json.GetProperty("stats").GetProperty("params").GetInt64(), reloaded.Model.ParameterCount);
        Assert.Equal(32, reloaded.Model.ConvLayers[8].Unit.OutChannels);
        Assert.Equal([8, 18, 28], reloaded.History.Steps.Select(s => s.Layer));
    }

    [Fact]
    public void PruningASavedPrunedModelAgainAppendsToItsHistory()
    {
        var first = Path.Combine(folder, "first.pt");
        var second = Path.Combine(folder, "second.pt");
        Assert.Equal(0, CliRunner.Run("prune", "--weights", SharedData.Golden("yolov7-tiny-golden.pt"), "--pruning-params", "[(8, 0.5)]", "--save", first).ExitCode);
        var result = CliRunner.Run("prune", "--weights", first, "--pruning-params", "[(8, 0.5), (11, 0.25)]", "--save", second);

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var reloaded = ModelFile.Load(second);
        Assert.Equal(16, reloaded.Model.ConvLayers[8].Unit.OutChannels);
        Assert.Equal([8, 8, 11], reloaded.History.Steps.Select(s => s.Layer));
    }

    [Fact]
    public void SingleRateForAllLayersWorksWhereThePapersCodeCrashes()
    {
        var result = CliRunner.Run("info", "--weights", SharedData.Golden("yolov7-tiny-golden.pt"), "--json");
        var before = JsonDocument.Parse(result.Stdout).RootElement;
        var saved = Path.Combine(folder, "all.pt");
        var pruned = CliRunner.Run("prune", "--weights", SharedData.Golden("yolov7-tiny-golden.pt"), "--pruning-params", "0.5", "--criterion", "2", "--save", saved, "--json");

        Assert.True(pruned.ExitCode == 0, pruned.Stderr);
        var golden = Golden.Json("yolov7-tiny_golden.json").GetProperty("prunings").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "all_layers_50_l1");
        var stats = JsonDocument.Parse(pruned.Stdout).RootElement.GetProperty("stats");
        Assert.Equal(golden.GetProperty("params_unfused").GetInt64(), stats.GetProperty("params").GetInt64());
        Assert.True(stats.GetProperty("gflops").GetDouble() < before.GetProperty("gflops").GetDouble() / 2);
    }

    [Fact]
    public void ForwardWritesTheGoldenOutputForTheGoldenInput()
    {
        var output = Path.Combine(folder, "y.npy");
        var result = CliRunner.Run("forward", "--weights", SharedData.Golden("yolov7-tiny-golden.pt"),
            "--input", SharedData.Golden("input_2x3x320x320.npy"), "--output", output, "--fuse");

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var expected = Golden.Npy("yolov7-tiny_fused_output.npy");
        using var actual = NpyFile.Read(output);
        Golden.AssertDetectionsClose(expected, actual);
    }

    [Fact]
    public void InfoJsonListsEveryConvLayerWithTheDocumentedFields()
    {
        var result = CliRunner.Run("info", "--cfg", "yolov7", "--img", "640", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(36_907_898, json.GetProperty("params_fused").GetInt64());
        Assert.Equal(104.51, Math.Round(json.GetProperty("gflops").GetDouble(), 2));
        Assert.Equal(89, json.GetProperty("prunable_layers").GetInt32());
        var layer = json.GetProperty("layers")[0];
        foreach (var field in new[] { "index", "module", "in_channels", "out_channels" })
            Assert.True(layer.TryGetProperty(field, out _), field);
    }

    public static TheoryData<string[], string> BadInputs => new()
    {
        { ["info", "--weights", "/nonexistent/model.pt"], "/nonexistent/model.pt" },
        { ["info", "--cfg", "yolov9-imaginary"], "yolov9-imaginary" },
        { ["prune", "--cfg", "yolov7-tiny", "--pruning-params", "[(8, 0.5), (8, 0.25)]", "--save", "/tmp/never.pt"], "listed twice" },
        { ["prune", "--cfg", "yolov7-tiny", "--pruning-params", "[(99, 0.5)]", "--save", "/tmp/never.pt"], "layer 99" },
        { ["prune", "--cfg", "yolov7-tiny", "--pruning-params", "[(8, 0.5", "--save", "/tmp/never.pt"], "--pruning-params" },
        { ["prune", "--cfg", "yolov7-tiny", "--pruning-params", "[(8, 1.5)]", "--save", "/tmp/never.pt"], "between 0 and 1" },
        { ["prune", "--cfg", "yolov7-tiny", "--pruning-params", "0.5", "--criterion", "9", "--save", "/tmp/never.pt"], "--criterion" },
        { ["info", "--weights", "/etc/hostname"], "/etc/hostname" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputGivesOneLineNamingTheInputAndExitCodeTwo(string[] args, string mentioned)
    {
        var result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        var lines = result.Stderr.Trim().Split('\n').Where(l => l.Trim().Length > 0).ToList();
        Assert.Single(lines);
        Assert.Contains(mentioned, lines[0]);
    }

    [Theory]
    [InlineData("info")]
    [InlineData("prune")]
    [InlineData("forward")]
    [InlineData("graph")]
    [InlineData("test")]
    [InlineData("metrics")]
    [InlineData("sensitivity")]
    [InlineData("select")]
    public void EveryCommandPrintsItsHelp(string command)
    {
        var result = CliRunner.Run(command, "--help");
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains("USAGE", result.Stdout);
    }

    [Fact]
    public void TruncatedCheckpointIsOneClearErrorLine()
    {
        var truncated = Path.Combine(folder, "truncated.pt");
        var bytes = File.ReadAllBytes(SharedData.Golden("yolov7-tiny-golden.pt"));
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var result = CliRunner.Run("info", "--weights", truncated);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(truncated, result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }
}
