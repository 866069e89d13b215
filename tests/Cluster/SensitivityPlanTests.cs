using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Runtime;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Jobs;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Cluster;

/// <summary>The cluster's work list for an iteration: every layer × rate, costed as the local analysis estimates its time.</summary>
public sealed class SensitivityPlanTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("prunecluster-plan-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Every_layer_and_rate_is_planned_with_the_GFLOPs_its_variant_recomputes_in_the_fast_mode()
    {
        var yaml = BccdSlice.Write(folder, 4);
        var weights = SharedData.Golden("bccd-yolov7-tiny.pt");
        var spec = new SensitivitySpec(Rates: [0.25, 0.75], Img: 160, Batch: 4);
        var job = new CampaignJob(new JobKey("plan", 1, JobKind.PlanSensitivity), FileDigest.Sha256(weights), yaml, "", "", []);

        var tasks = SensitivityPlan.Tasks(job, weights, spec);

        using var model = ModelFile.Load(weights);
        using var evaluator = new VariantEvaluator(model, DataYaml.Load(yaml), 160, 4, new SensitivityOptions([0.25, 0.75]), EngineRuntime.ForProcess());
        var layers = model.Model.PrunableLayers.Count;
        Assert.Equal(layers * 2, tasks.Length);
        Assert.Equal(Enumerable.Range(0, layers).SelectMany(l => new[] { (l, 0.25), (l, 0.75) }), tasks.Select(t => (t.Key.Layer, t.Key.Rate)));
        foreach (var task in tasks)
            Assert.Equal(evaluator.ReachedGflops(task.Key.Layer, task.Key.Rate), task.Cost, 12);
        // Uneven, as the issue says: the first layer reaches almost the whole network, a detection-level conv little.
        Assert.True(tasks[0].Cost > 10 * tasks.Min(t => t.Cost), $"{tasks[0].Cost} vs {tasks.Min(t => t.Cost)}");
        Assert.True(tasks[0].Cost > evaluator.Unpruned.Gflops * 0.9, $"{tasks[0].Cost} of {evaluator.Unpruned.Gflops}");
    }
}
