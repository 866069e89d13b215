using System.Collections.Immutable;
using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Campaigns;

/// <summary>Conversions between the engine's campaign records and the grains' plain records (the checkpoint of a
/// model in the cluster is its artifact digest).</summary>
public static class CampaignModels
{
    public static ModelMetrics ToMetrics(ModelSummary m) => new(m.Params, m.Gflops, m.Map50, m.Map, m.Checkpoint);

    public static ModelSummary ToSummary(ModelMetrics m) => new(m.Params, m.Gflops, m.Map50, m.Map, m.Checkpoint);

    public static ImmutableArray<PrunedLayer> ToLayers(IEnumerable<LayerRate> layers) =>
        [.. layers.Select(l => new PrunedLayer(l.Layer, l.Rate))];

    /// <summary>
    /// A variant's result as a line of the paper's sensitivity files: the speed tuple is the evaluator's own per-image
    /// inference and NMS times (device-synchronised, as the local command writes them), at the evaluation's image and
    /// batch size.
    /// </summary>
    public static SensitivityResult ToSensitivityResult(VariantResult r, SensitivitySpec spec) =>
        new(r.Key.Layer, r.Key.Rate, r.Mp, r.Mr, r.Map50, r.Map, [.. r.PerClassMaps],
            new SensitivityTiming(r.InferenceMs, r.NmsMs, r.InferenceMs + r.NmsMs, spec.Img, spec.Img, spec.Batch), r.Params, r.Gflops);
}
