using System.Text.Json;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Pruning;

/// <summary>No silent no-ops: rates that remove every filter (or none) leave the layer alone and say so.</summary>
public sealed class SkippedLayersTests : IDisposable
{
    private static readonly string Weights = SharedData.Golden("yolov7-tiny-golden.pt");
    private readonly string folder = Directory.CreateTempSubdirectory("prunecluster-skip-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ThePlanListsLayersARateWouldEmptyOrNotTouch()
    {
        using var loaded = ModelFile.Load(Weights);
        var graph = ConnectivityGraph.Build(loaded.Model);

        var plan = Pruner.Prune(graph, [new LayerRate(0, 0.95), new LayerRate(1, 0.5), new LayerRate(2, 0)], new FilterImportance(Criterion.SmallestL2));

        Assert.Equal([1], plan.Steps.Select(s => s.Layer));
        Assert.Equal([(0, 0.95, 32L), (2, 0.0, 32L)], plan.Skipped.Select(s => (s.Layer, s.Rate, s.Channels)));
        Assert.Contains("removes all 32 filters", plan.Skipped[0].Reason);
        Assert.Contains("removes no filter", plan.Skipped[1].Reason);
        Assert.Equal(32, loaded.Model.ConvLayers[0].Unit.OutChannels);
        Assert.Equal(plan.Skipped.Concat(plan.Skipped), plan.Then(plan).Skipped);
    }

    [Fact]
    public void PruneJsonReportsSkippedLayersAndTheModelFiguresAtTheTopLevel()
    {
        var saved = Path.Combine(folder, "p.pt");
        var result = CliRunner.Run("prune", "--weights", Weights, "--pruning-params", "[(0, 0.95), (1, 0.5)]", "--save", saved, "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal([1], json.GetProperty("pruned").EnumerateArray().Select(p => p.GetProperty("layer").GetInt32()));
        var skipped = json.GetProperty("skipped").EnumerateArray().Single();
        Assert.Equal(0, skipped.GetProperty("layer").GetInt32());
        Assert.Equal(0.95, skipped.GetProperty("rate").GetDouble());
        Assert.Equal(32, skipped.GetProperty("channels").GetInt64());
        Assert.Contains("all 32 filters", skipped.GetProperty("reason").GetString());
        var stats = json.GetProperty("stats");
        foreach (var field in new[] { "params", "params_fused", "gflops", "img", "layers" })
            Assert.Equal(JsonSerializer.Serialize(stats.GetProperty(field)), JsonSerializer.Serialize(json.GetProperty(field)));
        using var reloaded = ModelFile.Load(saved);
        Assert.Equal(json.GetProperty("params").GetInt64(), reloaded.Model.ParameterCount);
        Assert.False(json.TryGetProperty("note", out _));
    }

    [Fact]
    public void PruneTextNamesSkippedLayersAndAnEmptyListGetsANote()
    {
        var skipping = CliRunner.Run("prune", "--weights", Weights, "--pruning-params", "[(0, 0.95)]", "--save", Path.Combine(folder, "a.pt"));
        Assert.True(skipping.ExitCode == 0, skipping.Stderr);
        Assert.Contains("layer 0: skipped at rate 0.95, removes all 32 filters", skipping.Stdout);
        Assert.Contains("no layer was pruned", skipping.Stdout);

        var empty = CliRunner.Run("prune", "--weights", Weights, "--pruning-params", "[]", "--save", Path.Combine(folder, "b.pt"), "--json");
        Assert.True(empty.ExitCode == 0, empty.Stderr);
        var json = JsonDocument.Parse(empty.Stdout).RootElement;
        Assert.Contains("unpruned copy", json.GetProperty("note").GetString());
        Assert.Empty(json.GetProperty("pruned").EnumerateArray());
    }

    [Fact]
    public void AnUnknownImportancePrecisionIsOneLineBeforeAnyWork()
    {
        var result = CliRunner.Run("prune", "--weights", "/nonexistent.pt", "--pruning-params", "0.5", "--importance-precision", "half", "--save", Path.Combine(folder, "c.pt"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--importance-precision 'half'", result.Stderr.Trim());
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }
}
