using System.Collections.Immutable;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Training;
using PruneCluster.Grains.Campaigns;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Evaluation;

namespace PruneCluster.Grains.Jobs;

/// <summary>
/// Runs campaign jobs with the engine's <see cref="CampaignPhases"/> (the same code as the local <c>campaign run</c>):
/// inputs are read from the artifact store, outputs put into it, and a fine-tune's run folder lives on the store's
/// shared path (<c>ROOT/runs/CAMPAIGN/ITERATION</c>), so an attempt on another silo resumes from the last epoch.
/// </summary>
public sealed class EngineJobRunner(ArtifactStore store) : ICampaignJobRunner
{
    public JobResult Run(CampaignJob job, DeviceSlot slot, IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        var spec = CampaignSpecFile.Parse(job.SpecYaml, $"campaign.yaml of {job.Key.Campaign}");
        CampaignData.Check(job.DataYaml, job.DataDigest);
        var input = store.Verified(job.InputDigest);
        var phases = new CampaignPhases(spec, job.DataYaml, slot.Device);
        return job.Key.Kind switch
        {
            JobKind.Measure => Done(phases.Measure(input, cancellationToken), job.InputDigest),
            JobKind.PlanSensitivity => new JobResult(null, SensitivityPlan.Tasks(job, input, spec.Sensitivity, spec.Selection.RoundTo), "", 0),
            JobKind.Prune => Prune(job, phases, input, cancellationToken),
            JobKind.FineTune => FineTune(job, phases, input, spec.FineTune.Epochs, progress, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(job), job.Key.Kind, "unknown job kind"),
        };
    }

    /// <summary>Where a campaign iteration's fine-tuning run lives (shared by every silo).</summary>
    public string RunFolder(JobKey key) => Path.Combine(store.Root, "runs", Safe(key.Campaign), key.Iteration.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private JobResult Prune(CampaignJob job, CampaignPhases phases, string input, CancellationToken cancellationToken)
    {
        var output = Path.Combine(store.Root, "tmp", $"pruned-{Guid.NewGuid():N}.pt");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        try
        {
            var metrics = phases.Prune(input, [.. job.Layers.Select(l => new LayerRate(l.Layer, l.Rate))], output, cancellationToken);
            return Done(metrics, store.Put(output));
        }
        finally
        {
            File.Delete(output);
        }
    }

    private JobResult FineTune(CampaignJob job, CampaignPhases phases, string input, int epochs, IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        var report = new Progress(epochs, progress);
        var metrics = phases.FineTune(input, RunFolder(job.Key), report, cancellationToken);
        return Done(metrics, epochs == 0 ? job.InputDigest : store.Put(metrics.Checkpoint));
    }

    private static JobResult Done(ModelMetrics metrics, string digest) =>
        new(CampaignModels.ToSummary(metrics with { Checkpoint = digest }), ImmutableArray<VariantTask>.Empty, "", 0);

    private static string Safe(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    // Training progress as the job's: the share of batches done over all epochs, the epoch, the trainer's estimate.
    private sealed class Progress(int epochs, IProgress<JobProgress> target) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            var fraction = p.Epochs > 0 && p.Batches > 0 ? (p.Epoch + (double)p.Batch / p.Batches) / p.Epochs : 0;
            target.Report(new JobProgress(fraction, p.Epoch + 1, epochs, p.Remaining,
                $"epoch {p.Epoch + 1}/{p.Epochs}, batch {p.Batch}/{p.Batches}"));
        }
    }
}
