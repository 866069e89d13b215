using PruneCluster.Engine.Models.Modules;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Pruning;

/// <summary>
/// Scores the filters of conv units (summed over both RepConv branches and over coupled units); which filters to keep
/// follows from the scores alone, separate from the act of pruning.
/// </summary>
public sealed class FilterImportance(Criterion criterion, long seed = 0)
{
    private readonly Generator random = new Generator((ulong)seed);

    public Criterion Criterion => criterion;

    public Tensor Score(IReadOnlyList<IConvUnit> units)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var channels = units[0].OutChannels;
        var score = zeros(channels, dtype: ScalarType.Float32);
        if (criterion == Criterion.Random)
            return rand(channels, generator: random).MoveToOuterDisposeScope();
        foreach (var unit in units)
        {
            if (criterion is Criterion.SmallestBnScale or Criterion.SmallestBnScaleTimesL1 && unit.Norms.Count == 0)
                throw new PruningException($"--criterion {(int)criterion} needs batch-norm scale factors, but the model is fused; use criterion 0-3 or 6, or prune the unfused checkpoint");
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
                default:
                    throw new PruningException($"--criterion {(int)criterion} is not a criterion; use 0-6");
            }
        }
        return score.MoveToOuterDisposeScope();
    }

    private static Tensor Norm(Tensor weight, int p) => weight.cpu().flatten(1).norm(1, keepdim: false, p: p);

    /// <summary>Indices (ascending) of the filters to keep once the <paramref name="remove"/> lowest scores go.</summary>
    public static Tensor KeepAfterRemoving(Tensor score, long remove)
    {
        // torch.argsort (not a stable sort): half-precision checkpoints have tied scores (e.g. BN scales), and
        // breaking ties the way PyTorch does is what makes our kept filters equal the paper's.
        var order = score.argsort();
        return order[TensorIndex.Slice(remove, null)].sort().Values;
    }
}
