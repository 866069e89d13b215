using PruneCluster.Engine.Pruning;

namespace PruneCluster.Engine.Sensitivity;

/// <summary>A variant as <see cref="VariantEvaluator"/> evaluated it: its result line and the pruning it measured.</summary>
/// <param name="Result">Metrics, times, params and GFLOPs of the pruned model.</param>
/// <param name="Plan">The filters kept (plain data, replayable with <see cref="Pruner.Apply"/>); no step for the layer when the rate would remove all its filters.</param>
public sealed record VariantOutcome(SensitivityResult Result, PruningPlan Plan)
{
    /// <summary>Whether the pruning changed nothing (see <see cref="SensitivityNoOp"/>).</summary>
    public bool NoOp => Plan.Steps.All(step => step.Layer != Result.Layer);
}
