using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models.Modules;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Pruning;

/// <summary>
/// Ranks the filters of a layer (summed over both RepConv branches and over coupled units) and says which to keep,
/// separate from the act of pruning. The one place every command ranks: <c>prune</c>, <c>test</c>, sensitivity (naive
/// and fast) and anything replaying their choices get the same filters for the same weights, criterion, seed, layer.
/// </summary>
public sealed class FilterImportance(Criterion criterion, long seed = 0, ImportancePrecision precision = ImportancePrecision.Stored)
{
    public Criterion Criterion => criterion;

    public ImportancePrecision Precision => precision;

    /// <summary>Indices (ascending) of the filters <paramref name="layer"/> keeps once its <paramref name="remove"/> lowest-ranked go.</summary>
    public long[] Keep(ConnectivityGraph graph, int layer, long remove) => KeepAfterRemoving(Ranking(graph, layer), remove);

    /// <summary>The filters of <paramref name="layer"/> from least to most important (the order the paper's argsort gives).</summary>
    public int[] Ranking(ConnectivityGraph graph, int layer)
    {
        var units = graph.GroupOf(layer).Select(i => graph.Layers[i].Unit).ToList();
        if (criterion == Criterion.Random)
            return RandomOrder(layer, units[0].OutChannels);
        CheckCriterion(units);
        return RanksInHalf(graph)
            ? TorchCpuArgsort.Argsort(Array.ConvertAll(HalfPrecisionScores.Of(units, criterion), h => (float)h))
            : Float32Order(units);
    }

    /// <summary>Indices (ascending) kept once the first <paramref name="remove"/> of <paramref name="ranking"/> go.</summary>
    public static long[] KeepAfterRemoving(int[] ranking, long remove) => ranking.Skip((int)remove).Order().Select(i => (long)i).ToArray();

    /// <summary>
    /// Criterion 6's seed for one layer: every layer draws from its own generator seeded with
    /// <c>seed · 100003 + layer</c>, so the filters it loses do not depend on which other layers a list prunes, nor
    /// on the command (a sensitivity result for a layer is what <c>prune</c> removes for the same seed).
    /// </summary>
    public static ulong RandomSeed(long seed, int layer) => (ulong)(seed * 100_003 + layer);

    // The paper ranks the model as the checkpoint stores it; float16 files get PyTorch 1.13's float16 arithmetic.
    private bool RanksInHalf(ConnectivityGraph graph) =>
        precision == ImportancePrecision.Stored && graph.Model.StoredDtype == ScalarType.Float16;

    private int[] RandomOrder(int layer, long channels)
    {
        using var generator = new Generator(RandomSeed(seed, layer));
        using var score = rand(channels, generator: generator);
        return ArgsortToArray(score);
    }

    private int[] Float32Order(IReadOnlyList<IConvUnit> units)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var score = zeros(units[0].OutChannels, dtype: ScalarType.Float32);
        foreach (var unit in units)
        {
            switch (criterion)
            {
                case Criterion.SmallestL2: foreach (var w in unit.FilterWeights) score += Norm(w, 2); break;
                case Criterion.LargestL2: foreach (var w in unit.FilterWeights) score -= Norm(w, 2); break;
                case Criterion.SmallestL1: foreach (var w in unit.FilterWeights) score += Norm(w, 1); break;
                case Criterion.LargestL1: foreach (var w in unit.FilterWeights) score -= Norm(w, 1); break;
                case Criterion.SmallestBnScale: foreach (var bn in unit.Norms) score += bn.weight!.cpu(); break;
                case Criterion.SmallestBnScaleTimesL1:
                    foreach (var (w, bn) in unit.FilterWeights.Zip(unit.Norms))
                        score += bn.weight!.cpu() * Norm(w, 1);
                    break;
            }
        }
        return ArgsortToArray(score);
    }

    private static int[] ArgsortToArray(Tensor score)
    {
        using var order = score.argsort();
        return order.data<long>().Select(i => (int)i).ToArray();
    }

    private void CheckCriterion(IReadOnlyList<IConvUnit> units)
    {
        if (criterion is < Criterion.SmallestL2 or > Criterion.Random)
            throw new PruningException($"--criterion {(int)criterion} is not a criterion; use 0-6");
        if (criterion is Criterion.SmallestBnScale or Criterion.SmallestBnScaleTimesL1 && units.Any(u => u.Norms.Count == 0))
            throw new PruningException($"--criterion {(int)criterion} needs batch-norm scale factors, but the model is fused; use criterion 0-3 or 6, or prune the unfused checkpoint");
    }

    private static Tensor Norm(Tensor weight, int p) => weight.detach().cpu().flatten(1).norm(1, keepdim: false, p: p);
}
