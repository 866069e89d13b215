using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Pruning;

public class PruningCostTests
{
    [Theory]
    [InlineData("yolov7-tiny-golden.pt", null)]
    [InlineData("yolov7-golden.pt", new[] { 0, 10, 51, 52, 53, 54, 55, 56, 57, 75, 86, 87, 88 })]
    public void PredictedSavingEqualsMeasuringTheReallyPrunedModel(string checkpoint, int[]? layers)
    {
        using var loaded = ModelFile.Load(SharedData.Golden(checkpoint));
        var graph = ConnectivityGraph.Build(loaded.Model);
        var pixels = ConvPixelMap.Measure(loaded.Model);
        var baseline = ModelMeasure.Measure(loaded.Model, 640, pixels);
        foreach (var layer in layers ?? Enumerable.Range(0, loaded.Model.PrunableLayers.Count).ToArray())
        {
            var channels = loaded.Model.ConvLayers[layer].Unit.OutChannels;
            var removed = Pruner.FiltersToRemove(0.5, channels);
            var saving = PruningCost.Of(graph, baseline, layer, removed);

            using var copy = ModelBuilder.Copy(loaded.Model);
            Pruner.Prune(ConnectivityGraph.Build(copy), [new LayerRate(layer, 0.5)], new FilterImportance(Criterion.SmallestL2));
            var measured = ModelMeasure.Measure(copy, 640, pixels);

            Assert.True(baseline.Params - saving.Params == measured.Params, $"layer {layer}: params {baseline.Params - saving.Params} vs {measured.Params}");
            Assert.True(baseline.ParamsFused - saving.ParamsFused == measured.ParamsFused, $"layer {layer}: fused {baseline.ParamsFused - saving.ParamsFused} vs {measured.ParamsFused}");
            Assert.True(Math.Abs(baseline.Gflops - saving.Gflops - measured.Gflops) < 1e-9, $"layer {layer}: GFLOPs {baseline.Gflops - saving.Gflops} vs {measured.Gflops}");
        }
    }
}
