using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Storage;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Sensitivity;

/// <summary>
/// The aggregator of one iteration. Evaluation slots pull work from it (<see cref="Lease"/>), so work goes only to
/// silos with free slots and none idles while a task waits. A grain timer takes back leases not renewed within their
/// TTL (a dead or stalled silo's work is redone elsewhere); every change is persisted before it is acknowledged, so a
/// new activation on another silo continues where a dead one stopped. Reentrant: each method changes the state
/// synchronously before its first await, so interleaved calls never see a half-made change.
/// </summary>
[Reentrant]
public sealed class SensitivityIterationGrain(
    [PersistentState("iteration", StorageNames.Cluster)] IPersistentState<IterationState> state,
    TimeProvider clock,
    ILogger<SensitivityIterationGrain> logger) : Grain, ISensitivityIterationGrain
{
    private readonly WorkQueue waiting = new();
    private HashSet<VariantKey> keys = [];
    private IGrainTimer? expiryTimer;
    private long changes, written;
    private Task? writing;

    private IterationState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        RebuildQueue();
        if (S.IsOpen && !S.IsComplete)
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
            S.Tasks = [.. tasks];
            S.LeaseTtl = leaseTtl;
            RebuildQueue();
            StartExpiryTimer();
            logger.LogInformation("Iteration {Iteration} opened with {Tasks} tasks.", key, tasks.Length);
        }
        // Also when already open: a retried Open (its first attempt failed to store or to post) finishes the job.
        await Persist();
        if (!S.IsComplete)
            await GrainFactory.GetGrain<IWorkBoardGrain>(0).Post(key);
        return GetStatusNow();
    }

    public async Task<Lease?> Lease(string silo, int slot)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = ExpireLeases(now);
        Lease? lease = null;
        if (waiting.TryTake(out var task))
        {
            lease = new Lease(Guid.NewGuid().ToString("N"), task, silo, slot, now + S.LeaseTtl, S.LeaseTtl);
            S.Leases[lease.Id] = lease;
            S.FirstLeased ??= now;
            changed = true;
        }
        if (changed)
            await Persist();
        return lease;
    }

    public Task<bool> Renew(string leaseId)
    {
        if (!S.Leases.TryGetValue(leaseId, out var lease))
            return Task.FromResult(false);
        // Not persisted: after a fail-over a lease may expire one TTL early, which only costs a repeated evaluation.
        S.Leases[leaseId] = lease with { Expires = clock.GetUtcNow().UtcDateTime + lease.Ttl };
        return Task.FromResult(true);
    }

    public async Task Release(string leaseId)
    {
        if (!S.Leases.Remove(leaseId, out var lease))
            return;
        if (!S.Results.ContainsKey(lease.Task.Key.GrainKey))
            waiting.Add(lease.Task);
        await Persist();
        logger.LogInformation("Lease of {Variant} released by {Silo}.", lease.Task.Key.GrainKey, lease.Silo);
    }

    public async Task<bool> Complete(string leaseId, VariantResult result)
    {
        if (!keys.Contains(result.Key))
            throw new ArgumentException($"variant {result.Key.GrainKey} is not a task of iteration {this.GetPrimaryKeyString()}", nameof(result));
        var first = !S.Results.ContainsKey(result.Key.GrainKey);
        if (first)
        {
            S.Results[result.Key.GrainKey] = result;
            S.LastCompleted = clock.GetUtcNow().UtcDateTime;
        }
        // Every lease on a finished variant ends, whoever holds it: its task must not come back.
        var ended = S.Leases.Values.Where(l => l.Id == leaseId || l.Task.Key == result.Key).Select(l => l.Id).ToList();
        foreach (var id in ended)
            S.Leases.Remove(id);
        var completes = first && S.IsComplete;
        if (first || ended.Count > 0)
            await Persist();
        if (completes)
            await Finish();
        return first;
    }

    public Task<IterationStatus> GetStatus() => Task.FromResult(GetStatusNow());

    public Task<ImmutableArray<VariantResult>> GetResults() => Task.FromResult(
        S.Tasks.Where(t => S.Results.ContainsKey(t.Key.GrainKey)).Select(t => S.Results[t.Key.GrainKey]).ToImmutableArray());

    private IterationStatus GetStatusNow()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var end = S.IsComplete ? S.LastCompleted ?? now : now;
        var seconds = S.FirstLeased is { } start ? (end - start).TotalSeconds : 0;
        var throughput = seconds > 0 ? S.Results.Count / seconds : 0;
        var remaining = S.Tasks.Count - S.Results.Count;
        TimeSpan? eta = remaining == 0 ? TimeSpan.Zero : throughput > 0 ? TimeSpan.FromSeconds(remaining / throughput) : null;
        return new IterationStatus(S.Results.Count, S.Tasks.Count, waiting.Count, [.. S.Leases.Values],
            S.Results.Values.GroupBy(r => r.Silo).ToImmutableDictionary(g => g.Key, g => g.Count()),
            throughput, eta, [.. S.Expired]);
    }

    // Leases past their expiry go back to the queue. True when any did.
    private bool ExpireLeases(DateTime now)
    {
        var expired = S.Leases.Values.Where(l => l.Expires < now).ToList();
        foreach (var lease in expired)
        {
            S.Leases.Remove(lease.Id);
            S.Expired.Add(lease);
            if (!S.Results.ContainsKey(lease.Task.Key.GrainKey))
                waiting.Add(lease.Task);
            logger.LogWarning("Lease of {Variant} held by {Silo} slot {Slot} expired; the task waits again.", lease.Task.Key.GrainKey, lease.Silo, lease.Slot);
        }
        return expired.Count > 0;
    }

    private async Task CheckExpiry(CancellationToken cancellationToken)
    {
        if (ExpireLeases(clock.GetUtcNow().UtcDateTime))
            await Persist();
    }

    private void StartExpiryTimer()
    {
        var period = TimeSpan.FromTicks(Math.Max(S.LeaseTtl.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks));
        expiryTimer ??= this.RegisterGrainTimer(CheckExpiry, new GrainTimerCreationOptions { DueTime = period, Period = period, KeepAlive = true });
    }

    private async Task Finish()
    {
        expiryTimer?.Dispose();
        expiryTimer = null;
        await GrainFactory.GetGrain<IWorkBoardGrain>(0).Remove(this.GetPrimaryKeyString());
        logger.LogInformation("Iteration {Iteration} complete: {Results} results.", this.GetPrimaryKeyString(), S.Results.Count);
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
        keys = S.Tasks.Select(t => t.Key).ToHashSet();
        var leased = S.Leases.Values.Select(l => l.Task.Key).ToHashSet();
        while (waiting.TryTake(out _)) { }
        foreach (var task in S.Tasks.Where(t => !S.Results.ContainsKey(t.Key.GrainKey) && !leased.Contains(t.Key)))
            waiting.Add(task);
    }
}
