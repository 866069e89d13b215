using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Pruning;

namespace PruneCluster.Engine.Sensitivity;

/// <summary>One (layer, rate) of a sensitivity analysis, described on the unpruned model.</summary>
/// <param name="Removed">The filters the pruning removes from the layer's group (scored on the unpruned weights).</param>
/// <param name="Affected">
/// Per cfg row: whether pruning changes an output the evaluation uses (the group's rows and every row reading one,
/// directly or not, that the inference output depends on). The head row always counts: it is where the variant's
/// levels are recomputed or taken from the unpruned model.
/// </param>
internal sealed record SensitivityVariant(int Layer, double Rate, long[] Removed, bool[] Affected, PruningCost.Saving Saving, ModelStats Baseline)
{
    /// <summary>The first row the variant computes itself; its inputs come from the unpruned model.</summary>
    public int FirstAffectedRow => Array.IndexOf(Affected, true);
}
