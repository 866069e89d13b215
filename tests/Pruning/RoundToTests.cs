using PruneCluster.Engine.Data;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Pruning;

/// <summary><c>--round-to N</c>: every pruned layer keeps a multiple of N filters, the top of the same ranking.</summary>
public sealed class RoundToTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("prunecluster-roundto-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void KeptCountsAreMultiplesAtLeastTheUnroundedCountAndLessThanOneMultipleMore()
    {
        foreach (var n in new[] { 8, 16, 32 })
            for (var channels = 2L; channels <= 600; channels++)
                foreach (var rate in new[] { 0.1, 0.25, 0.3, 0.5, 0.75, 0.9 })
                {
                    var unrounded = channels - Pruner.FiltersToRemove(rate, channels);
                    var kept = channels - Pruner.FiltersToRemove(rate, channels, n);
                    if (unrounded <= 0)
                    {
                        Assert.Equal(unrounded, kept); // removing every filter stays a skip
                        continue;
                    }
                    Assert.True(kept % n == 0 || kept == channels, $"{channels} at {rate}, N={n}: keeps {kept}");
                    Assert.InRange(kept, unrounded, Math.Min(channels, unrounded + n - 1));
                }
        Assert.Equal(Pruner.FiltersToRemove(0.5, 100), Pruner.FiltersToRemove(0.5, 100, 1));
        Assert.Throws<PruningException>(() => Pruner.FiltersToRemove(0.5, 100, 0));
    }

    [Fact]
    public void EveryPrunedLayerKeepsAMultipleOfEightTheTopRankedOfItsCriterion()
    {
        using var reference = ModelFile.Load(SharedData.Golden("yolov7-tiny-golden.pt"));
        var graph = ConnectivityGraph.Build(reference.Model);
        var importance = new FilterImportance(Criterion.SmallestL1);
        using var loaded = ModelFile.Load(SharedData.Golden("yolov7-tiny-golden.pt"));
        var rates = PruningParams.Parse("[(0, 0.3), (7, 0.3), (21, 0.3), (40, 0.3)]", loaded.Model.PrunableLayers.Count);

        var plan = Pruner.Prune(ConnectivityGraph.Build(loaded.Model), rates, importance, roundTo: 8);

        Assert.Equal([0, 7, 21, 40], plan.Steps.Select(s => s.Layer));
        Assert.Equal(24, plan.Steps[0].Kept.Count); // 0.3 of 32 would keep 22
        foreach (var step in plan.Steps)
        {
            Assert.Equal(0, step.Kept.Count % 8);
            Assert.True(step.Kept.Count >= step.ChannelsBefore - Pruner.FiltersToRemove(0.3, step.ChannelsBefore), $"layer {step.Layer} keeps fewer than unrounded");
            // The layers listed do not feed one another, so each is ranked on the unpruned weights: the kept filters
            // are the first k of that ranking, the same set a single-layer pruning (sensitivity) keeps.
            var ranking = importance.Ranking(graph, step.Layer);
            Assert.Equal(FilterImportance.KeepAfterRemoving(ranking, step.ChannelsBefore - step.Kept.Count), step.Kept);
        }
    }

    [Fact]
    public void SensitivityMeasuresTheModelThatPruneWithTheSameRoundToMakes()
    {
        const int img = 160;
        var data = DataYaml.Load(BccdSlice.Write(folder, 4));
        using var model = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        var result = new SensitivityAnalysis(model, data, img, 8, new SensitivityOptions([0.3], Layers: [21], RoundTo: 8)).Run(Path.Combine(folder, "sa")).Single();

        long FusedParams(int roundTo)
        {
            using var copy = ModelBuilder.Copy(model.Model);
            Pruner.Prune(ConnectivityGraph.Build(copy), [new LayerRate(21, 0.3)], new FilterImportance(Criterion.SmallestL2), roundTo);
            return ModelMeasure.Measure(copy, img).ParamsFused;
        }
        Assert.Equal(FusedParams(8), result.Params);
        Assert.NotEqual(FusedParams(1), result.Params);
        var other = SensitivityIdentity.Measure(model.Path, data, img, 8, new SensitivityOptions([0.3], RoundTo: 16));
        var refused = Assert.Throws<SensitivityDataException>(() => new SensitivityFolder(Path.Combine(folder, "sa")).CheckResumable(other));
        Assert.Contains("round-to 8 → 16", refused.Message);
        // select takes the analysis's rounding and refuses another one.
        var select = CliRunner.Run("select", "--output", Path.Combine(folder, "sa"), "--round-to", "16");
        Assert.Equal(2, select.ExitCode);
        Assert.Contains("measured with --round-to 8, not 16", select.Stderr);
    }
}
