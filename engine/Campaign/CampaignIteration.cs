using PruneCluster.Engine.Pruning;

namespace PruneCluster.Engine.Campaign;

/// <summary>
/// One iteration as far as it got. It exists once its sensitivity analysis is complete; the later phases fill in
/// <see cref="Selection"/>, then <see cref="Pruned"/>, then <see cref="FineTuned"/>.
/// </summary>
/// <param name="Number">1 for the first iteration.</param>
/// <param name="Input">The model the iteration starts from (the baseline or the previous iteration's fine-tuned model).</param>
/// <param name="Selection">The (layer, rate) list chosen from the analysis; empty when nothing is worth pruning.</param>
/// <param name="Pruned">The pruned model before fine-tuning.</param>
/// <param name="FineTuned">The pruned model after fine-tuning.</param>
public sealed record CampaignIteration(
    int Number,
    ModelMetrics Input,
    IReadOnlyList<LayerRate>? Selection = null,
    ModelMetrics? Pruned = null,
    ModelMetrics? FineTuned = null)
{
    /// <summary>Whether every phase has finished.</summary>
    public bool IsComplete => FineTuned is not null;
}
