using PruneCluster.Engine.Pruning;

namespace PruneCluster.Engine.Campaign;

/// <summary>What <see cref="TargetSelector"/> chose.</summary>
/// <param name="Layers">The (layer, rate) list, ascending by layer, one rate per layer.</param>
/// <param name="TargetGflops">GFLOPs it was asked to remove.</param>
/// <param name="PredictedGflopsRemoved">Sum of the single-layer GFLOPs reductions of the chosen pairs.</param>
/// <param name="PredictedMapLoss">Sum of their single-layer mAP@.5:.95 losses (none counted below zero).</param>
/// <param name="Reached">False when even the best list cannot remove the target; the list then removes the most it can.</param>
public sealed record TargetSelection(
    IReadOnlyList<LayerRate> Layers,
    double TargetGflops,
    double PredictedGflopsRemoved,
    double PredictedMapLoss,
    bool Reached);
