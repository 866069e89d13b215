using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Storage;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Membership;

namespace PruneCluster.Grains.Sensitivity;

/// <summary>
/// The aggregator of one iteration. Evaluation slots pull work from it (<see cref="Lease"/>), so work goes only to
/// silos with free slots and none idles while a task waits. A grain timer takes back leases not renewed within their
/// TTL (a dead or stalled silo's work is redone elsewhere); every change is persisted before it is acknowledged, so a
/// new activation on another silo continues where a dead one stopped. Results go to the variant grains; this grain
/// keeps only a done flag per task, so its writes stay small. Reentrant: each method changes the state synchronously
/// between awaits, so interleaved calls never see a half-made change.
/// </summary>
[Reentrant]
public sealed class SensitivityIterationGrain(
    [PersistentState("iteration", StorageNames.Cluster)] IPersistentState<IterationState> state,
    [PersistentState("iteration-plan", StorageNames.Cluster)] IPersistentState<IterationPlan> plan,
    TimeProvider clock,
    IClusterMembershipService membership,
    ILogger<SensitivityIterationGrain> logger) : Grain, ISensitivityIterationGrain
{
    private readonly WorkQueue waiting = new();
    private Dictionary<VariantKey, int> index = [];
    private IGrainTimer? expiryTimer;
    private long changes, written;
    private Task? writing;
    private Task? storingPlan;

    private IterationState S => state.State;

    private List<VariantTask> Tasks => plan.State.Tasks;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Renewals are not persisted (they would be most of the writes), so a restored lease's stored expiry may be
        // long past although its holder is alive and renewing. Restored leases therefore get a fresh TTL: a live
        // holder's next renewal (every TTL/3) keeps its lease, a dead holder's task waits again one TTL later.
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var lease in S.Leases.Values.ToList())
            S.Leases[lease.Id] = lease with { Expires = now + lease.Ttl };
        RebuildQueue();
        if (S.IsOpen && !S.Finished && !S.Withdrawn)
            StartExpiryTimer();
        return Task.CompletedTask;
    }

    public async Task<IterationStatus> Open(ImmutableArray<VariantTask> tasks, TimeSpan leaseTtl)
    {
        var key = this.GetPrimaryKeyString();
        if (!S.IsOpen)
        {
            if (tasks.IsDefaultOrEmpty)
                throw new ArgumentException("an iteration needs at least one task", nameof(tasks));
            if (leaseTtl <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(leaseTtl), "the lease TTL must be positive");
            if (tasks.FirstOrDefault(t => t.Key.IterationKey != key) is { } stranger)
                throw new ArgumentException($"task {stranger.Key.GrainKey} does not belong to iteration {key}", nameof(tasks));
            if (tasks.Select(t => t.Key).Distinct().Count() != tasks.Length)
                throw new ArgumentException($"iteration {key} lists a variant twice", nameof(tasks));
            // The plan is stored before the state that says the iteration is open. Another Open interleaving with
            // this write (the grain is reentrant) waits for it and then finds the iteration open.
            storingPlan ??= StorePlan(tasks);
            try
            {
                await storingPlan;
            }
            catch
            {
                storingPlan = null;   // the next Open tries again
                throw;
            }
        }
        if (!S.IsOpen)
        {
            S.LeaseTtl = leaseTtl;
            S.Done = new bool[Tasks.Count];
            S.Attempts = new int[Tasks.Count];
            RebuildQueue();
            StartExpiryTimer();
            logger.LogInformation("Iteration {Iteration} opened with {Tasks} tasks.", key, Tasks.Count);
        }
        else if (S.Withdrawn)
        {
            // Its campaign was resumed: the unsettled tasks wait again.
            S.Withdrawn = false;
            RebuildQueue();
            if (!S.Finished)
                StartExpiryTimer();
            logger.LogInformation("Iteration {Iteration} posted again with {Waiting} tasks waiting.", key, waiting.Count);
        }
        // The state is stored before the iteration goes on the board: a slot that finds it there finds its tasks.
        // Also when already open: a retried Open (its first attempt failed to store or to post) finishes the job.
        await Persist();
        if (!S.IsComplete)
            await GrainFactory.GetGrain<IWorkBoardGrain>(WorkBoards.Sensitivity).Post(key);
        return GetStatusNow();
    }

    private Task StorePlan(ImmutableArray<VariantTask> tasks)
    {
        plan.State.Tasks = [.. tasks];
        return plan.WriteStateAsync();
    }

    public async Task<Lease?> Lease(string silo, int slot) => (await LeaseMany(silo, slot, 1)).FirstOrDefault();

    public async Task<ImmutableArray<Lease>> LeaseMany(string silo, int slot, int count)
    {
        if (S.Withdrawn)
            return [];
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = ExpireLeases(now);
        var leases = ImmutableArray.CreateBuilder<Lease>();
        while (leases.Count < count && TryTakeWaiting(out var task))
        {
            var lease = new Lease(Guid.NewGuid().ToString("N"), task, silo, slot, now + S.LeaseTtl, S.LeaseTtl);
            S.Leases[lease.Id] = lease;
            S.FirstLeased ??= now;
            leases.Add(lease);
            changed = true;
        }
        if (!changed)
            return [];
        try
        {
            await Persist();
        }
        catch
        {
            // Nobody will ever know these leases: their tasks wait again at once instead of after a TTL.
            foreach (var lease in leases)
                if (S.Leases.Remove(lease.Id))
                    waiting.Add(lease.Task);
            throw;
        }
        return leases.ToImmutable();
    }

    public Task<LeaseRenewal> Renew(string leaseId)
    {
        if (S.Leases.TryGetValue(leaseId, out var lease))
        {
            // Not persisted: a new activation gives every restored lease a fresh TTL (see OnActivateAsync).
            S.Leases[leaseId] = lease with { Expires = clock.GetUtcNow().UtcDateTime + lease.Ttl };
            return Task.FromResult(LeaseRenewal.Held);
        }
        return Task.FromResult(S.Withdrawn ? LeaseRenewal.Withdrawn : LeaseRenewal.Lost);
    }

    public async Task Withdraw()
    {
        if (!S.IsOpen || S.IsComplete)
            return;
        if (!S.Withdrawn)
        {
            S.Withdrawn = true;
            var ended = S.Leases.Count;
            S.Leases.Clear();
            while (waiting.TryTake(out _)) { }
            expiryTimer?.Dispose();
            expiryTimer = null;
            logger.LogInformation("Iteration {Iteration} withdrawn: {Leases} leases ended, {Remaining} tasks unsettled.",
                this.GetPrimaryKeyString(), ended, Tasks.Count - S.DoneCount - S.Failures.Count);
        }
        // Stored before it leaves the board; a retried call (a failed write or board call) finishes the job.
        await Persist();
        await GrainFactory.GetGrain<IWorkBoardGrain>(WorkBoards.Sensitivity).Remove(this.GetPrimaryKeyString());
    }

    public async Task Release(string leaseId)
    {
        if (!S.Leases.Remove(leaseId, out var lease))
            return;
        if (!S.IsSettled(index[lease.Task.Key]))
            waiting.Add(lease.Task);
        await Persist();
        logger.LogInformation("Lease of {Variant} released by {Silo}.", lease.Task.Key.GrainKey, lease.Silo);
    }

    public async Task<bool> Complete(string leaseId, VariantResult result)
    {
        var task = TaskIndex(result.Key);
        // The variant grain keeps the first result it is given; a repeated or late evaluation gets that one back.
        var stored = await GrainFactory.GetGrain<ISensitivityGrain>(result.Key.GrainKey).Record(result);
        if (!S.Done[task])
        {
            S.Done[task] = true;
            S.DoneCount++;
            S.Failures.Remove(task);   // a result is better than a failure reported earlier
            S.DonePerSilo[stored.Silo] = S.DonePerSilo.GetValueOrDefault(stored.Silo) + 1;
            S.LastCompleted = clock.GetUtcNow().UtcDateTime;
        }
        EndLeasesOf(result.Key, leaseId);
        // Always written: when this is a retry of a call whose write failed, the change is in memory but not stored.
        await Persist();
        await FinishIfComplete();
        return stored.Equals(result);
    }

    public async Task Fail(string leaseId, VariantKey key, string error)
    {
        var task = TaskIndex(key);
        // Counted only while the lease is held: a retried call (its write failed) or a report on a lease that expired
        // meanwhile does not count twice.
        var held = S.Leases.Remove(leaseId);
        if (held && !S.IsSettled(task))
        {
            S.Attempts[task]++;
            if (S.Attempts[task] >= ISensitivityIterationGrain.MaxAttempts)
            {
                S.Failures[task] = error;
                EndLeasesOf(key, leaseId);
                logger.LogError("Variant {Variant} failed {Attempts} times and is given up: {Error}", key.GrainKey, S.Attempts[task], error);
            }
            else
            {
                waiting.Add(Tasks[task]);
                logger.LogWarning("Variant {Variant} failed (attempt {Attempt} of {Max}): {Error}", key.GrainKey, S.Attempts[task], ISensitivityIterationGrain.MaxAttempts, error);
            }
        }
        await Persist();
        await FinishIfComplete();
    }

    public Task<IterationStatus> GetStatus() => Task.FromResult(GetStatusNow());

    public async Task<ImmutableArray<VariantResult>> GetResults()
    {
        var done = Tasks.Where((_, i) => S.Done[i]).ToList();
        var results = await Task.WhenAll(done.Select(t => GrainFactory.GetGrain<ISensitivityGrain>(t.Key.GrainKey).Get()));
        return [.. results.OfType<VariantResult>()];
    }

    private IterationStatus GetStatusNow()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var end = S.IsComplete ? S.LastCompleted ?? now : now;
        var seconds = S.FirstLeased is { } start ? (end - start).TotalSeconds : 0;
        var throughput = seconds > 0 ? S.DoneCount / seconds : 0;
        var remaining = Tasks.Count - S.DoneCount - S.Failures.Count;
        TimeSpan? eta = remaining == 0 ? TimeSpan.Zero : throughput > 0 ? TimeSpan.FromSeconds(remaining / throughput) : null;
        var failed = S.Failures.OrderBy(f => f.Key).Select(f => new VariantFailure(Tasks[f.Key].Key, S.Attempts[f.Key], f.Value));
        return new IterationStatus(S.DoneCount, Tasks.Count, waiting.Count, [.. S.Leases.Values],
            S.DonePerSilo.ToImmutableDictionary(), throughput, eta, [.. S.Expired], [.. failed], S.Withdrawn);
    }

    private int TaskIndex(VariantKey key) => index.TryGetValue(key, out var task)
        ? task : throw new ArgumentException($"variant {key.GrainKey} is not a task of iteration {this.GetPrimaryKeyString()}", nameof(key));

    // Every lease on a settled variant ends, whoever holds it: its task must not come back.
    private void EndLeasesOf(VariantKey key, string leaseId)
    {
        foreach (var id in S.Leases.Values.Where(l => l.Id == leaseId || l.Task.Key == key).Select(l => l.Id).ToList())
            S.Leases.Remove(id);
    }

    // The queue may still hold a task settled since it was queued (a variant given up while its task waited again).
    private bool TryTakeWaiting(out VariantTask task)
    {
        while (waiting.TryTake(out task))
            if (!S.IsSettled(index[task.Key]))
                return true;
        return false;
    }

    // Leases past their expiry, or held by a silo the membership declared dead, go back to the queue. True when any did.
    private bool ExpireLeases(DateTime now)
    {
        var dead = S.Leases.Count > 0 ? membership.DeadSiloNames() : [];
        var expired = S.Leases.Values.Where(l => l.Expires < now || dead.Contains(l.Silo)).ToList();
        foreach (var lease in expired)
        {
            S.Leases.Remove(lease.Id);
            S.Expired.Add(lease);
            if (!S.IsSettled(index[lease.Task.Key]))
                waiting.Add(lease.Task);
            logger.LogWarning("Lease of {Variant} held by {Silo} slot {Slot} {Why}; the task waits again.", lease.Task.Key.GrainKey, lease.Silo, lease.Slot, lease.Expires < now ? "expired" : "ended (its silo is dead)");
        }
        return expired.Count > 0;
    }

    private async Task CheckExpiry(CancellationToken cancellationToken)
    {
        if (ExpireLeases(clock.GetUtcNow().UtcDateTime))
            await Persist();
        await FinishIfComplete();
    }

    private void StartExpiryTimer()
    {
        var period = TimeSpan.FromTicks(Math.Max(S.LeaseTtl.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks));
        expiryTimer ??= this.RegisterGrainTimer(CheckExpiry, new GrainTimerCreationOptions { DueTime = period, Period = period, KeepAlive = true });
    }

    // Takes a complete iteration off the board, once: until the flag is stored, every Complete (a slot retries a failed
    // one) and every timer tick tries again, so a failed write or board call cannot leave it there.
    private async Task FinishIfComplete()
    {
        if (!S.IsComplete || S.Finished)
            return;
        await GrainFactory.GetGrain<IWorkBoardGrain>(WorkBoards.Sensitivity).Remove(this.GetPrimaryKeyString());
        if (S.Finished)
            return;   // an interleaved call finished it meanwhile
        S.Finished = true;
        await Persist();
        expiryTimer?.Dispose();
        expiryTimer = null;
        logger.LogInformation("Iteration {Iteration} complete: {Results} results, {Failures} failed variants.", this.GetPrimaryKeyString(), S.DoneCount, S.Failures.Count);
    }

    // Group commit: a call's change is made synchronously in its turn, then the call waits until a write that started
    // after the change has finished. Calls interleave (the grain is reentrant), so while one write is in flight the
    // next calls' changes queue up and go out together in the following write: throughput does not depend on the
    // storage latency. A failed write fails the calls waiting on it (they retry; the next write carries everything).
    private async Task Persist()
    {
        var version = ++changes;
        while (written < version)
        {
            if (writing is null || writing.IsCompleted)
                writing = WriteAll();
            await writing;
        }
    }

    private async Task WriteAll()
    {
        var version = changes;
        try
        {
            await state.WriteStateAsync();
            written = Math.Max(written, version);
        }
        catch (InconsistentStateException)
        {
            // Another activation wrote this iteration's state: this one is stale and must go.
            DeactivateOnIdle();
            throw;
        }
        finally
        {
            writing = null;
        }
    }

    private void RebuildQueue()
    {
        index = Tasks.Select((t, i) => (t.Key, i)).ToDictionary(p => p.Key, p => p.i);
        var leased = S.Leases.Values.Select(l => l.Task.Key).ToHashSet();
        while (waiting.TryTake(out _)) { }
        if (S.Withdrawn)
            return;   // nothing waits until Open posts it again
        foreach (var (task, i) in Tasks.Select((t, i) => (t, i)).Where(p => !S.IsSettled(p.i) && !leased.Contains(p.t.Key)))
            waiting.Add(task);
    }
}
