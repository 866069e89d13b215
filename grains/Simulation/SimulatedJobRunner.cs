using System.Collections.Immutable;
using PruneCluster.Engine.Campaign;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Evaluation;
using PruneCluster.Grains.Jobs;

namespace PruneCluster.Grains.Simulation;

/// <summary>
/// Stand-in campaign jobs for tests and benchmarks, never for real campaigns: each takes <paramref name="duration"/>
/// (a sleep, cut short by cancellation); the baseline is yolov7's size, an iteration's sensitivity plan is
/// <paramref name="layers"/> layers × the campaign's rates with yolov7's costs (for <see cref="SimulatedEvaluator"/>),
/// prune and fine-tune give a model a few percent smaller per pruned layer.
/// </summary>
public sealed class SimulatedJobRunner(int layers, TimeSpan duration) : ICampaignJobRunner
{
    public JobResult Run(CampaignJob job, DeviceSlot slot, IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        if (cancellationToken.WaitHandle.WaitOne(duration))
            cancellationToken.ThrowIfCancellationRequested();
        var key = job.Key;
        if (key.Kind == JobKind.PlanSensitivity)
        {
            var rates = CampaignSpecFile.Parse(job.SpecYaml, $"campaign.yaml of {key.Campaign}").Sensitivity.Rates;
            return new JobResult(null, SimulatedWorkload.Tasks(key.Campaign, key.Iteration, layers, rates), "", 0);
        }
        var shrink = 1 - 0.05 * job.Layers.Sum(l => l.Rate);
        var model = key.Kind == JobKind.Measure
            ? new ModelSummary(36_905_341, Yolov7CostProfile.TotalGflops, 0.84, 0.6, job.InputDigest)
            : new ModelSummary((long)(36_905_341 * shrink), Yolov7CostProfile.TotalGflops * shrink, 0.8, 0.57, $"{job.InputDigest}/{key.Iteration}/{key.Kind}");
        return new JobResult(model, ImmutableArray<VariantTask>.Empty, "", 0);
    }
}
