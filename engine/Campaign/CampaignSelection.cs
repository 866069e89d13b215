using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Selection;
using PruneCluster.Engine.Sensitivity;

namespace PruneCluster.Engine.Campaign;

/// <summary>
/// Turns an iteration's complete sensitivity table into the list to prune, as the spec's selection mode says. The
/// baselines are the iteration's input model (its fused params and its GFLOPs at the analysis' image size), which is
/// what every line of the table was measured against.
/// </summary>
public static class CampaignSelection
{
    public static IReadOnlyList<LayerRate> Select(SelectionSpec spec, SensitivityTable table, ModelMetrics input) =>
        spec.Mode switch
        {
            SelectionMode.Paper => OneRatePerLayer(LayerSelector.Select(table, new LayerSelectionOptions(
                input.Params, input.Gflops, spec.ParamsLayers, spec.FlopsLayers, spec.ParamsMap, spec.FlopsMap)).PruningParams),
            SelectionMode.Target => TargetSelector.Select(table, input.Gflops, input.Map, spec.GflopsStep).Layers,
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Mode, "unknown selection mode"),
        };

    /// <summary>
    /// The paper's two searches may pick one layer at two rates; pruning takes one rate per layer, so the larger
    /// one stays (pruning the layer twice, as the paper's code would, compounds the rates).
    /// </summary>
    private static IReadOnlyList<LayerRate> OneRatePerLayer(IEnumerable<(int Layer, double Rate)> picks) =>
        picks.GroupBy(p => p.Layer)
            .Select(g => new LayerRate(g.Key, g.Max(p => p.Rate)))
            .OrderBy(p => p.Layer)
            .ToList();
}
