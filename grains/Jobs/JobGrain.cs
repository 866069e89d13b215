using Microsoft.Extensions.Logging;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Membership;

namespace PruneCluster.Grains.Jobs;

/// <summary>
/// One long campaign step, leased to one evaluation slot at a time (see <see cref="IJobGrain"/>). Every attempt that
/// began counts (a lease that expired because its silo died too: a job that kills its silo must not loop forever);
/// a fine-tune attempt on another silo resumes from the last epoch in the run folder, so a repeat costs at most one
/// epoch. Every change is persisted before it is acknowledged.
/// </summary>
public sealed class JobGrain(
    [PersistentState("job", StorageNames.Cluster)] IPersistentState<JobGrainState> state,
    TimeProvider clock,
    IClusterMembershipService membership,
    ILogger<JobGrain> logger) : Grain, IJobGrain
{
    private IGrainTimer? expiryTimer;

    private JobGrainState S => state.State;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.State == JobState.Running)
            StartExpiryTimer();
        return Task.CompletedTask;
    }

    public async Task<JobStatus> Submit(CampaignJob job, TimeSpan leaseTtl)
    {
        if (S.Job is null)
        {
            if (job.Key.GrainKey != this.GetPrimaryKeyString())
                throw new ArgumentException($"job {job.Key.GrainKey} sent to job grain {this.GetPrimaryKeyString()}", nameof(job));
            if (leaseTtl <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(leaseTtl), "the lease TTL must be positive");
            (S.Job, S.LeaseTtl, S.State) = (job, leaseTtl, JobState.Waiting);
            await state.WriteStateAsync();
            logger.LogInformation("Job {Job} submitted.", job.Key.GrainKey);
        }
        // Also when already submitted: a retried Submit whose first attempt failed to post finishes the job.
        if (S.State is JobState.Waiting or JobState.Running)
            await Board.Post(this.GetPrimaryKeyString());
        return StatusNow();
    }

    public async Task<JobLease?> Lease(string silo, int slot)
    {
        await ExpireLease();
        if (S.State != JobState.Waiting || S.Job is null)
            return null;
        var lease = new JobLease(Guid.NewGuid().ToString("N"), S.Job, silo, slot, Now + S.LeaseTtl, S.LeaseTtl);
        (S.Lease, S.State, S.Started, S.Progress) = (lease, JobState.Running, Now, JobProgress.Started);
        S.Attempts++;
        await state.WriteStateAsync();
        StartExpiryTimer();
        logger.LogInformation("Job {Job} attempt {Attempt} leased to {Silo} slot {Slot}.", S.Job.Key.GrainKey, S.Attempts, silo, slot);
        return lease;
    }

    public Task<JobRenewal> Renew(string leaseId, JobProgress progress)
    {
        if (S.State == JobState.Cancelled)
            return Task.FromResult(JobRenewal.Cancelled);
        if (S.Lease?.Id != leaseId)
            return Task.FromResult(JobRenewal.Lost);
        // Not persisted (progress is for people; a fail-over may expire the lease one TTL early, costing one epoch).
        S.Lease = S.Lease with { Expires = Now + S.Lease.Ttl };
        S.Progress = progress;
        return Task.FromResult(JobRenewal.Held);
    }

    public async Task<bool> Complete(string leaseId, JobResult result)
    {
        if (S.Result is not null || S.Lease?.Id != leaseId)
            return false;
        (S.Result, S.Lease, S.State, S.Error) = (result, null, JobState.Done, null);
        await state.WriteStateAsync();
        await Finish();
        logger.LogInformation("Job {Job} done on {Silo} in {Seconds:0.0} s.", S.Job!.Key.GrainKey, result.Silo, result.Seconds);
        return true;
    }

    public async Task Fail(string leaseId, string error)
    {
        if (S.Lease?.Id != leaseId)
            return;
        logger.LogWarning("Job {Job} attempt {Attempt} failed: {Error}", S.Job!.Key.GrainKey, S.Attempts, error);
        S.Error = error;
        await EndAttempt();
    }

    public async Task Release(string leaseId)
    {
        if (S.Lease?.Id != leaseId)
            return;
        S.Attempts--;   // a graceful hand-back is not a failed attempt
        (S.Lease, S.State) = (null, JobState.Waiting);
        await state.WriteStateAsync();
    }

    public async Task Cancel()
    {
        if (S.State is not (JobState.Waiting or JobState.Running))
            return;
        (S.Lease, S.State) = (null, JobState.Cancelled);
        await state.WriteStateAsync();
        await Finish();
    }

    public async Task<JobStatus> GetStatus()
    {
        await ExpireLease();
        return StatusNow();
    }

    public Task<JobResult?> GetResult() => Task.FromResult(S.Result);

    private JobStatus StatusNow() =>
        new(S.Job?.Key ?? new JobKey(this.GetPrimaryKeyString(), 0, JobKind.Measure), S.State, S.Lease?.Silo ?? S.Result?.Silo,
            S.Attempts, S.Progress, S.Started, S.Error);

    private IWorkBoardGrain Board => GrainFactory.GetGrain<IWorkBoardGrain>(WorkBoards.Jobs);

    private async Task ExpireLease()
    {
        if (S.Lease is not { } lease)
            return;
        var expired = lease.Expires < Now;
        // A silo the membership declared dead will never renew: its lease ends now, not one TTL later.
        if (!expired && !membership.IsDead(lease.Silo))
            return;
        logger.LogWarning("Job {Job} lease held by {Silo} slot {Slot} {Why}.", S.Job!.Key.GrainKey, lease.Silo, lease.Slot, expired ? "expired" : "ended: that silo is dead");
        S.Error = expired ? $"the lease held by {lease.Silo} expired (silo stopped or stalled)" : $"the silo {lease.Silo} holding the lease died";
        await EndAttempt();
    }

    // The attempt is over without a result: the job waits again, or has failed for good.
    private async Task EndAttempt()
    {
        S.Lease = null;
        S.State = S.Attempts >= IJobGrain.MaxAttempts ? JobState.Failed : JobState.Waiting;
        await state.WriteStateAsync();
        if (S.State == JobState.Failed)
            await Finish();
    }

    private async Task Finish()
    {
        expiryTimer?.Dispose();
        expiryTimer = null;
        await Board.Remove(this.GetPrimaryKeyString());
    }

    private void StartExpiryTimer()
    {
        var period = TimeSpan.FromTicks(Math.Max(S.LeaseTtl.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks));
        expiryTimer ??= this.RegisterGrainTimer(_ => ExpireLease(), new GrainTimerCreationOptions { DueTime = period, Period = period, KeepAlive = true });
    }
}
