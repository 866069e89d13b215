using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Tests.Support;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Pruning;

/// <summary>
/// The defining property of correct structured pruning: the pruned model computes exactly what the unpruned model
/// computes with the removed filters' outputs zeroed where their consumers read them (after ImplicitA for head
/// inputs). Checked for every prunable layer of yolov7 and yolov7-tiny at rates 0.25, 0.5 and 0.75: yolov7-tiny with
/// every criterion, yolov7 with one criterion per layer-rate pair, rotating through all seven (each criterion still
/// covers dozens of its layers; all seven everywhere would multiply the suite's longest test by seven).
/// </summary>
public class PruningEquivalenceTests
{
    private static readonly double[] Rates = [0.25, 0.5, 0.75];

    [Theory]
    [InlineData("yolov7-tiny-golden.pt", true)]
    [InlineData("yolov7-golden.pt", false)]
    public void EverySingleLayerPruningEqualsZeroingTheRemovedFilters(string checkpoint, bool everyCriterion)
    {
        using var loaded = ModelFile.Load(SharedData.Golden(checkpoint));
        var original = loaded.Model;
        var graph = ConnectivityGraph.Build(original);
        manual_seed(3);
        // The smallest input every stride divides keeps 400+ full forwards affordable; the wiring is size-independent.
        using var input = rand(1, 3, 32, 32);
        using var _ = no_grad();
        var failures = new List<string>();
        var caseNumber = 0;
        foreach (var layer in original.PrunableLayers)
        {
            foreach (var (rate, criterion) in Rates.SelectMany(r => everyCriterion
                         ? Enum.GetValues<Criterion>().Select(c => (r, c))
                         : [(r, (Criterion)(caseNumber++ % 7))]))
            {
                using var pruned = ModelBuilder.Copy(original);
                var plan = Pruner.Prune(ConnectivityGraph.Build(pruned), [new LayerRate(layer.Index, rate)], new FilterImportance(criterion, seed: layer.Index));
                if (plan.Steps.Count == 0)
                    continue;
                var kept = plan.Steps[0].Kept.ToHashSet();
                var removed = Enumerable.Range(0, (int)layer.Unit.OutChannels).Select(i => (long)i).Where(i => !kept.Contains(i)).ToList();
                using var prunedOutput = pruned.forward(input);
                using var mask = PruningMask.Apply(graph, layer.Index, removed);
                using var maskedOutput = original.forward(input);
                var scale = maskedOutput.abs().max().item<float>();
                var error = (prunedOutput - maskedOutput).abs().max().item<float>();
                if (error > 1e-4 * Math.Max(scale, 1f))
                    failures.Add($"layer {layer.Index} rate {rate} criterion {(int)criterion}: max |Δ| {error} (scale {scale})");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void EveryCriterionKeepsDifferentFiltersButTheSameCount()
    {
        using var loaded = ModelFile.Load(SharedData.Golden("yolov7-tiny-golden.pt"));
        var kept = new List<IReadOnlyList<long>>();
        foreach (var criterion in Enum.GetValues<Criterion>())
        {
            using var copy = ModelBuilder.Copy(loaded.Model);
            var plan = Pruner.Prune(ConnectivityGraph.Build(copy), [new LayerRate(21, 0.5)], new FilterImportance(criterion, seed: 1));
            kept.Add(plan.Steps.Single().Kept);
        }
        Assert.All(kept, k => Assert.Equal(256, k.Count));
        Assert.Equal(kept.Count, kept.Select(k => string.Join(",", k)).Distinct().Count());
    }

    [Fact]
    public void RandomCriterionIsReproducibleWithTheSameSeed()
    {
        using var loaded = ModelFile.Load(SharedData.Golden("yolov7-tiny-golden.pt"));
        IReadOnlyList<long> Keep(long seed)
        {
            using var copy = ModelBuilder.Copy(loaded.Model);
            return Pruner.Prune(ConnectivityGraph.Build(copy), [new LayerRate(11, 0.5)], new FilterImportance(Criterion.Random, seed)).Steps.Single().Kept;
        }
        Assert.Equal(Keep(42), Keep(42));
        Assert.NotEqual(Keep(42), Keep(43));
    }
}
