using System.Collections.Immutable;
using System.Globalization;
using PruneCluster.Engine.Campaign;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Campaigns;

/// <summary>A coordinator's status: its record and planner step turned into phases, rows and one line for people.</summary>
public static class CampaignStatuses
{
    public static CampaignStatus NotStarted(string id) =>
        new(id, "", CampaignPhase.NotStarted, 0, "not started", null, [], null, null, null, null, null, default, default);

    public static async Task<CampaignStatus> Build(string id, CampaignGrainState state, CampaignRecord record, CampaignStep step,
        IGrainFactory grains, Func<int, ISensitivityIterationGrain> aggregator)
    {
        var (phase, iteration) = step switch
        {
            CampaignStep.EvaluateBaseline => (CampaignPhase.Baseline, 0),
            CampaignStep.RunSensitivity run => (CampaignPhase.Planning, run.Iteration),
            CampaignStep.SelectLayers select => (CampaignPhase.Selecting, select.Iteration),
            CampaignStep.Prune prune => (CampaignPhase.Pruning, prune.Iteration),
            CampaignStep.FineTune tune => (CampaignPhase.FineTuning, tune.Iteration),
            CampaignStep.Finished { Outcome.Reason: StopReason.Cancelled } => (CampaignPhase.Cancelled, record.Iterations.Count),
            _ => (CampaignPhase.Finished, record.Iterations.Count),
        };
        JobStatus? job = null;
        if (JobOf(step) is { } current)
        {
            job = await grains.GetGrain<IJobGrain>(new JobKey(id, current.Iteration, current.Kind, state.Generation).GrainKey).GetStatus();
            if (job.State == JobState.NotSubmitted)
                job = null;
        }
        IterationStatus? sensitivity = null;
        if (step is CampaignStep.RunSensitivity && job?.State == JobState.Done)
        {
            (phase, job) = (CampaignPhase.Sensitivity, null);
            sensitivity = await aggregator(iteration).GetStatus();
        }
        if (state.Failure is not null)
            phase = CampaignPhase.Failed;
        var outcome = (step as CampaignStep.Finished)?.Outcome;

        var rows = record.Iterations.Select(i => Row(i, state)).ToList();
        if (step is CampaignStep.RunSensitivity running)
            rows.Add(new IterationSummary(running.Iteration, CampaignModels.ToSummary(running.Input), false, [], null, null, null, null, null));
        var line = state.Failure ?? outcome?.Message ?? Line(phase, iteration, job, sensitivity);
        var start = state.Start!;
        return new CampaignStatus(id, start.Name, phase, iteration, line,
            record.Baseline is { } b ? CampaignModels.ToSummary(b) : null, [.. rows], job, sensitivity,
            outcome?.Message, outcome?.FinalIteration, state.Failure, start.Created, state.Updated);
    }

    /// <summary>The iteration and kind of the job a step runs; null for selection and the end.</summary>
    public static (int Iteration, JobKind Kind)? JobOf(CampaignStep step) => step switch
    {
        CampaignStep.EvaluateBaseline => (0, JobKind.Measure),
        CampaignStep.RunSensitivity run => (run.Iteration, JobKind.PlanSensitivity),
        CampaignStep.Prune prune => (prune.Iteration, JobKind.Prune),
        CampaignStep.FineTune tune => (tune.Iteration, JobKind.FineTune),
        _ => null,
    };

    private static IterationSummary Row(CampaignIteration i, CampaignGrainState state)
    {
        double? Seconds(string phase) => state.PhaseSeconds.TryGetValue($"{i.Number}/{phase}", out var s) ? s : null;
        return new IterationSummary(i.Number, CampaignModels.ToSummary(i.Input), i.Selection is not null,
            i.Selection is { } selection ? CampaignModels.ToLayers(selection) : [],
            i.Pruned is { } p ? CampaignModels.ToSummary(p) : null, i.FineTuned is { } f ? CampaignModels.ToSummary(f) : null,
            Seconds("sensitivity"), Seconds("prune"), Seconds("fine-tune"));
    }

    private static string Line(CampaignPhase phase, int iteration, JobStatus? job, IterationStatus? sensitivity)
    {
        var what = phase switch
        {
            CampaignPhase.Baseline => "measuring the baseline",
            CampaignPhase.Planning => $"iteration {iteration}: planning the sensitivity analysis",
            CampaignPhase.Sensitivity => $"iteration {iteration}: sensitivity {sensitivity!.Done}/{sensitivity.Total} variants",
            CampaignPhase.Selecting => $"iteration {iteration}: selecting layers",
            CampaignPhase.Pruning => $"iteration {iteration}: pruning",
            _ => $"iteration {iteration}: fine-tuning",
        };
        if (sensitivity?.Eta is { } eta && !sensitivity.Complete)
            what += $", {Eta(eta)} left";
        if (job is { } j)
        {
            what += j.State switch
            {
                JobState.Waiting => j.Attempts > 0 ? $" (waiting for a slot; attempt {j.Attempts} failed: {j.Error})" : " (waiting for a slot)",
                JobState.Running when j.Progress is { } p => $" on {j.Silo}: {p.Message}{(p.Eta is { } e ? $", {Eta(e)} left" : "")}",
                JobState.Running => $" on {j.Silo}",
                _ => "",
            };
        }
        return what;
    }

    private static string Eta(TimeSpan eta) =>
        eta.TotalHours >= 1 ? $"{(int)eta.TotalHours} h {eta.Minutes} min"
        : eta.TotalMinutes >= 1 ? $"{(int)eta.TotalMinutes} min {eta.Seconds} s"
        : $"{Math.Ceiling(eta.TotalSeconds).ToString(CultureInfo.InvariantCulture)} s";
}
