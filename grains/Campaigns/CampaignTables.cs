using System.Collections.Immutable;
using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Pruning;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Campaigns;

/// <summary>
/// An iteration's ranked layer table from its sensitivity results so far: what each (layer, rate) removes from the
/// iteration's input and costs in mAP, scored as the paper scores GFLOPs (GFLOPs removed × mAP^flops_map), highest
/// first (ties: lower layer, then lower rate), with the selection marked once it ran.
/// </summary>
public static class CampaignTables
{
    public static CampaignTable Rank(int iteration, ModelMetrics input, IReadOnlyList<VariantResult> results, int total,
        SelectionSpec selection, IReadOnlyList<LayerRate>? selected)
    {
        var picks = selected?.ToHashSet() ?? [];
        var rows = results
            .Select(r =>
            {
                var gflopsRemoved = input.Gflops - r.Gflops;
                return new LayerTableRow(r.Key.Layer, r.Key.Rate, r.Map50, r.Map, r.Map - input.Map, input.Params - r.Params,
                    gflopsRemoved, gflopsRemoved * Math.Pow(r.Map, selection.FlopsMap), picks.Contains(new LayerRate(r.Key.Layer, r.Key.Rate)));
            })
            .OrderByDescending(r => r.Score).ThenBy(r => r.Layer).ThenBy(r => r.Rate)
            .ToImmutableArray();
        return new CampaignTable(iteration, results.Count, total, selected is not null, rows);
    }
}
