using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Campaigns;

/// <summary>
/// The coordinator of one campaign. It loops the engine's <see cref="CampaignPlanner"/> (the one implementation of
/// the campaign's decisions): <c>step = Next(record)</c>, make sure the step's work is under way (a leased job, or
/// the iteration's sensitivity aggregator), and once it has finished record the outcome in the engine's
/// <see cref="CampaignRecord"/> and persist it — before anything is acknowledged. No call waits for work: a grain
/// timer looks at the running work every <see cref="CoordinatorOptions.Poll"/> while the grain is active, and a
/// reminder wakes it after a full restart, where it continues at the first unfinished phase.
/// </summary>
public sealed class CampaignGrain(
    [PersistentState("campaign", StorageNames.Cluster)] IPersistentState<CampaignGrainState> state,
    IOptions<CoordinatorOptions> options,
    TimeProvider clock,
    ILogger<CampaignGrain> logger) : Grain, ICampaignGrain, IRemindable
{
    private const string WakeReminder = "wake";

    private readonly HashSet<string> submitted = [];
    private readonly HashSet<int> opened = [];
    private CampaignRecord? record;
    private IGrainTimer? poll;

    private CampaignGrainState S => state.State;

    private string Id => this.GetPrimaryKeyString();

    private CoordinatorOptions O => options.Value;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.RecordJson is { } json)
            record = CampaignRecordFile.FromJson(json, $"campaign {Id}'s stored record");
        if (Running)
            StartPolling();
        return Task.CompletedTask;
    }

    public async Task<CampaignStatus> Start(CampaignStart start)
    {
        if (S.Start is { } existing)
        {
            if (existing != start)
                throw new ArgumentException($"campaign {Id} already exists with other input; choose another name or id");
            return await Status();
        }
        var spec = CampaignSpecFile.Parse(start.SpecYaml, $"campaign.yaml of {Id}");
        record = CampaignRecord.Start(spec);
        (S.Start, S.PhaseStarted) = (start, Now);
        await Persist();
        await GrainFactory.GetGrain<ICampaignDirectoryGrain>(0).Add(new CampaignEntry(Id, start.Name, start.Created));
        logger.LogInformation("Campaign {Campaign} ({Name}) started.", Id, start.Name);
        await Wake();
        return await Status();
    }

    public Task<CampaignStatus> GetStatus() => Status();

    public async Task<CampaignStatus> Cancel()
    {
        if (record is null || !Running)
            return await Status();
        var step = CampaignPlanner.Next(record);
        var running = CurrentJob(step);
        if (step is CampaignStep.RunSensitivity run)
        {
            // Off the work board first: slots stop at their next lease renewal and lease none of it. Should the cancel
            // not be stored below, the next tick opens (posts) it again.
            await Aggregator(run.Iteration).Withdraw();
            opened.Remove(run.Iteration);
        }
        record = record.WithCancelled();
        await Persist();
        if (running is { } job)
            await GrainFactory.GetGrain<IJobGrain>(job.GrainKey).Cancel();
        await Sleep();
        logger.LogInformation("Campaign {Campaign} cancelled.", Id);
        return await Status();
    }

    public async Task<CampaignStatus> Resume()
    {
        if (record is null)
            return await Status();
        if (Running)
        {
            await Wake();   // after a restart without reminders (the embedded cluster): drive it again now
            return await Status();
        }
        // Fresh jobs: the cancelled or failed ones keep their state (a fine-tune resumes from its run folder).
        record = record.Resumed();
        S.Failure = null;
        S.Generation++;
        S.PhaseStarted = Now;
        submitted.Clear();
        opened.Clear();   // a withdrawn iteration is posted again by its Open
        await Persist();
        logger.LogInformation("Campaign {Campaign} resumed.", Id);
        await Wake();
        return await Status();
    }

    public async Task<CampaignTable?> GetTable(int iteration)
    {
        if (record is null)
            return null;
        var step = CampaignPlanner.Next(record);
        var number = iteration > 0 ? iteration : step is CampaignStep.RunSensitivity run ? run.Iteration : record.Iterations.Count;
        var input = number >= 1 && number <= record.Iterations.Count ? record.Iterations[number - 1].Input
            : step is CampaignStep.RunSensitivity r && r.Iteration == number ? r.Input : null;
        if (input is null)
            return null;
        var aggregator = Aggregator(number);
        var status = await aggregator.GetStatus();
        var results = await aggregator.GetResults();
        var selected = number <= record.Iterations.Count ? record.Iterations[number - 1].Selection : null;
        return CampaignTables.Rank(number, input, results, status.Total, record.Spec.Selection, selected);
    }

    public Task<string?> GetRecordJson() => Task.FromResult(S.RecordJson);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!Running)
        {
            await Sleep();
            return;
        }
        StartPolling();
        await Advance();
    }

    private bool Running => record is not null && S.Failure is null && CampaignPlanner.Next(record) is not CampaignStep.Finished;

    private async Task Wake()
    {
        await this.RegisterOrUpdateReminder(WakeReminder, O.WakePeriod, O.WakePeriod);
        StartPolling();
        await Advance();
    }

    private async Task Sleep()
    {
        poll?.Dispose();
        poll = null;
        if (await this.GetReminder(WakeReminder) is { } reminder)
            await this.UnregisterReminder(reminder);
    }

    private void StartPolling() =>
        poll ??= this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions { DueTime = O.Poll, Period = O.Poll, KeepAlive = true });

    private async Task Tick(CancellationToken cancellationToken)
    {
        try
        {
            await Advance();
        }
        catch (Exception e)
        {
            // A grain call that failed (a silo went away) is tried again at the next tick.
            logger.LogWarning("Campaign {Campaign}: {Error}; trying again.", Id, e.Message);
        }
    }

    // Runs steps as long as they finish at once; returns when one waits for work.
    private async Task Advance()
    {
        while (Running && await TryFinishStep(CampaignPlanner.Next(record!)))
        {
        }
        if (!Running)
            await Sleep();
    }

    private async Task<bool> TryFinishStep(CampaignStep step)
    {
        var start = S.Start!;
        switch (step)
        {
            case CampaignStep.EvaluateBaseline:
                if (await JobResult(0, JobKind.Measure, start.WeightsDigest, []) is not { Model: { } baseline })
                    return false;
                record = record!.WithBaseline(CampaignModels.ToMetrics(baseline));
                return await Recorded(0, "baseline");

            case CampaignStep.RunSensitivity run:
                if (await JobResult(run.Iteration, JobKind.PlanSensitivity, run.Input.Checkpoint, []) is not { } plan)
                    return false;
                var aggregator = Aggregator(run.Iteration);
                if (opened.Add(run.Iteration))
                    await aggregator.Open(plan.Tasks, O.VariantLeaseTtl);
                var progress = await aggregator.GetStatus();
                if (!progress.Complete)
                    return false;
                if (progress.CompletedWithFailures)
                {
                    var failure = progress.Failed[0];
                    S.Failure = $"iteration {run.Iteration}: {progress.Failed.Length} sensitivity variant(s) failed on every attempt, e.g. {failure.Key.GrainKey}: {failure.Error}";
                    await Persist();
                    return false;
                }
                record = record!.WithSensitivityDone(run.Iteration, run.Input);
                return await Recorded(run.Iteration, "sensitivity");

            case CampaignStep.SelectLayers select:
                var iteration = record!.Iterations[select.Iteration - 1];
                var results = await Aggregator(select.Iteration).GetResults();
                try
                {
                    var table = SensitivityTable.FromResults(results.Select(r => CampaignModels.ToSensitivityResult(r, record.Spec.Sensitivity)));
                    record = record.WithSelection(select.Iteration, CampaignSelection.Select(record.Spec.Selection, table, iteration.Input));
                }
                catch (SensitivityDataException e)
                {
                    S.Failure = $"selecting iteration {select.Iteration}'s layers: {e.Message}";
                    await Persist();
                    return false;
                }
                return await Recorded(select.Iteration, "selection");

            case CampaignStep.Prune prune:
                if (await JobResult(prune.Iteration, JobKind.Prune, prune.Input.Checkpoint, CampaignModels.ToLayers(prune.Layers)) is not { Model: { } pruned })
                    return false;
                record = record!.WithPruned(prune.Iteration, CampaignModels.ToMetrics(pruned));
                return await Recorded(prune.Iteration, "prune");

            case CampaignStep.FineTune tune:
                if (await JobResult(tune.Iteration, JobKind.FineTune, tune.Pruned.Checkpoint, []) is not { Model: { } tuned })
                    return false;
                record = record!.WithFineTuned(tune.Iteration, CampaignModels.ToMetrics(tuned));
                return await Recorded(tune.Iteration, "fine-tune");

            default:
                return false;
        }
    }

    private async Task<bool> Recorded(int iteration, string phase)
    {
        S.PhaseSeconds[$"{iteration}/{phase}"] = (Now - (S.PhaseStarted ?? Now)).TotalSeconds;
        S.PhaseStarted = Now;
        await Persist();
        logger.LogInformation("Campaign {Campaign}: iteration {Iteration} {Phase} done.", Id, iteration, phase);
        return true;
    }

    /// <summary>The job's result once it is done; submits it first if needed. A job failed on every attempt fails the campaign.</summary>
    private async Task<JobResult?> JobResult(int iteration, JobKind kind, string input, ImmutableArray<PrunedLayer> layers)
    {
        var key = new JobKey(Id, iteration, kind, S.Generation);
        var job = GrainFactory.GetGrain<IJobGrain>(key.GrainKey);
        if (!submitted.Contains(key.GrainKey))
        {
            var start = S.Start!;
            await job.Submit(new CampaignJob(key, input, start.DataYaml, start.DataDigest, start.SpecYaml, layers), O.JobLeaseTtl);
            submitted.Add(key.GrainKey);
        }
        var status = await job.GetStatus();
        if (status.State == JobState.Failed)
        {
            S.Failure = $"{Describe(key)} failed {status.Attempts} times; last error: {status.Error}";
            await Persist();
            logger.LogError("Campaign {Campaign}: {Failure}", Id, S.Failure);
        }
        return status.State == JobState.Done ? await job.GetResult() : null;
    }

    /// <summary>The job the step runs (null: none, or the sensitivity aggregator's work).</summary>
    internal JobKey? CurrentJob(CampaignStep step) => CampaignStatuses.JobOf(step) is { } job ? new JobKey(Id, job.Iteration, job.Kind, S.Generation) : null;

    private ISensitivityIterationGrain Aggregator(int iteration) =>
        GrainFactory.GetGrain<ISensitivityIterationGrain>(VariantKey.IterationKeyOf(Id, iteration));

    private async Task Persist()
    {
        S.RecordJson = CampaignRecordFile.ToJson(record!);
        S.Updated = Now;
        await state.WriteStateAsync();
    }

    private async Task<CampaignStatus> Status() =>
        record is null
            ? CampaignStatuses.NotStarted(Id)
            : await CampaignStatuses.Build(Id, S, record, CampaignPlanner.Next(record), GrainFactory, Aggregator);

    internal static string Describe(JobKey key) => key.Kind switch
    {
        JobKind.Measure => "measuring the baseline",
        JobKind.PlanSensitivity => $"planning iteration {key.Iteration}'s sensitivity analysis",
        JobKind.Prune => $"pruning iteration {key.Iteration}",
        _ => $"fine-tuning iteration {key.Iteration}",
    };
}
