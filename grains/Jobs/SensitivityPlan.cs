using System.Collections.Immutable;
using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Jobs;

/// <summary>
/// An iteration's sensitivity work: every prunable layer of its input × the spec's rates, each with its cost — the
/// unpruned GFLOPs of the rows the variant recomputes in the fast mode at the analysis' image size
/// (<see cref="VariantReach"/>, what the local analysis estimates its remaining time from), so the aggregator hands
/// out the long evaluations first.
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
        var graph = ConnectivityGraph.Build(loaded.Model);
        return [.. loaded.Model.PrunableLayers.SelectMany((_, index) =>
        {
            var cost = VariantReach.Gflops(loaded.Model, graph, stats, index);
            return spec.Rates.Select(rate => new VariantTask(new VariantKey(job.Key.Campaign, job.Key.Iteration, index, rate), cost, evaluation));
        })];
    }
}
