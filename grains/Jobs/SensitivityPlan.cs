using System.Collections.Immutable;
using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Jobs;

/// <summary>
/// An iteration's sensitivity work: every prunable layer of its input × the spec's rates, each with its cost — the
/// GFLOPs of every network row from the layer's yaml row on at the analysis' image size (what a fast-mode variant
/// recomputes at most; the same measure as <see cref="Simulation.Yolov7CostProfile"/>), so the aggregator hands out
/// the long evaluations of the first layers first.
/// </summary>
public static class SensitivityPlan
{
    public static ImmutableArray<VariantTask> Tasks(CampaignJob job, string checkpoint, SensitivitySpec spec, int roundTo = 1)
    {
        using var loaded = ModelFile.Load(checkpoint);
        var stats = ModelMeasure.Measure(loaded.Model, spec.Img);
        // The evaluator checks the val split only (the job's digest also covers train, for fine-tuning).
        var valDigest = DatasetDigest.Of(DataYaml.Load(job.DataYaml), "val");
        var evaluation = new EvaluationSpec(job.InputDigest, valDigest, spec.Img, spec.Batch, spec.Criterion, checked((int)spec.Seed),
            job.DataYaml, spec.Conf, spec.Iou, Rates: [.. spec.Rates], RoundTo: roundTo);
        return [.. loaded.Model.PrunableLayers.SelectMany((layer, index) =>
        {
            var cost = stats.Layers.Where(l => l.YamlLayer >= layer.YamlLayer).Sum(l => l.Gflops);
            return spec.Rates.Select(rate => new VariantTask(new VariantKey(job.Key.Campaign, job.Key.Iteration, index, rate), cost, evaluation));
        })];
    }
}
