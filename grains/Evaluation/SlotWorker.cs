using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Jobs;

namespace PruneCluster.Grains.Evaluation;

/// <summary>
/// One evaluation slot's loop: run a waiting campaign job if there is one (<see cref="SlotJobs"/>), else lease the largest waiting task of an open iteration, evaluate it on the slot's thread
/// while renewing the lease, then hand the result to the aggregator. The grain calls stay off the slot's critical
/// path: while a task is evaluated the next one is taken (prefetch; leases come <see cref="EvaluationWorkerOptions.Prefetch"/>
/// at a time, so short tasks cost a fraction of a lease call each), and the result of the last one is delivered in the
/// background, retried until it is in. An evaluation that throws is reported (<c>Fail</c>) and the slot goes on;
/// the aggregator gives the variant up after a few failures. An evaluator that refuses the work on this silo
/// (<see cref="EvaluationRefusedException"/>: other data, a missing artifact) hands the lease back and the slot takes no
/// more work from that iteration, so that silos that can do it do. Failed grain calls are retried after a pause; the lease
/// protocol makes every step safe to repeat.
/// </summary>
public sealed class SlotWorker(DeviceSlot slot, string silo, IGrainFactory grains, IVariantEvaluator evaluator, SlotJobs? jobs, EvaluationWorkerOptions options, ILogger logger)
{
    private readonly ConcurrentDictionary<string, Lease> held = new();
    private readonly List<Task> deliveries = [];
    // Leased in one call and not started yet (all of them also in held); a failed renewal drops them from held.
    private readonly ConcurrentQueue<Lease> leased = new();
    private readonly ConcurrentDictionary<string, bool> notStarted = new();
    private readonly ConcurrentDictionary<string, bool> refused = new();
    private string? currentIteration;
    // The variant evaluated now and when it started (Stopwatch timestamp); null while none is. A reference, so that the
    // silo's report (another thread) reads it whole.
    private volatile Tuple<VariantKey, long>? evaluating;

    /// <summary>The leases this slot holds and has not completed (read by the shutdown path to hand them back).</summary>
    public IReadOnlyCollection<Lease> Held => [.. held.Values];

    /// <summary>The campaign job this slot runs now, if any (handed back on a graceful stop).</summary>
    public (string Job, string LeaseId)? HeldJob => jobs?.Held;

    /// <summary>What the slot works on now (for <see cref="IClusterStatusGrain"/>): a campaign job or a variant, or nothing.</summary>
    public SlotStatus Status()
    {
        if (jobs?.Activity is { } job)
            return new SlotStatus(slot.Index, slot.Device, job);
        if (evaluating is { } current)
            return new SlotStatus(slot.Index, slot.Device, new SlotActivity(SlotActivity.Variant, current.Item1.Campaign, current.Item1.Iteration,
                current.Item1.Layer, current.Item1.Rate, Stopwatch.GetElapsedTime(current.Item2)));
        return new SlotStatus(slot.Index, slot.Device, null);
    }

    /// <summary>Finishes once every result this slot evaluated is delivered, or given up when <c>abandon</c> fires.</summary>
    public Task Delivered() => Task.WhenAll(deliveries);

    /// <param name="stopping">Stop taking and evaluating work.</param>
    /// <param name="abandon">Stop delivering results and reporting failures too (the silo is going down hard).</param>
    public async Task RunAsync(CancellationToken stopping, CancellationToken abandon)
    {
        using var thread = new SlotThread($"evaluation {silo} {slot.Device} #{slot.Index}");
        Task<Lease?>? next = null;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // Campaign jobs first (a slot holding a prefetched variant lease evaluates it first).
                if (next is null && jobs is not null && await jobs.TryRunOne(thread, stopping))
                    continue;
                var lease = next is null ? await TakeLease() : await next;
                next = null;
                deliveries.RemoveAll(d => d.IsCompleted);
                if (lease is null)
                {
                    await Task.Delay(options.IdlePoll, stopping);
                    continue;
                }
                notStarted.TryRemove(lease.Id, out _);
                if (!held.ContainsKey(lease.Id))
                    continue;   // a prefetched lease that was taken back before its turn
                if (refused.ContainsKey(lease.Task.Key.IterationKey))
                {
                    deliveries.Add(HandBack(lease, abandon));   // prefetched before its iteration was refused
                    continue;
                }
                using var withdrawn = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                evaluating = Tuple.Create(lease.Task.Key, Stopwatch.GetTimestamp());
                var evaluation = thread.Run(() => evaluator.Evaluate(lease.Task, slot, withdrawn.Token));
                next = Prefetch();
                VariantResult? result;
                try
                {
                    result = await WhileRenewing(lease, evaluation, withdrawn, stopping);
                }
                finally
                {
                    evaluating = null;
                }
                if (withdrawn.IsCancellationRequested && !stopping.IsCancellationRequested)
                {
                    // The campaign was cancelled: nothing to deliver or report; the iteration is off the board.
                    held.TryRemove(lease.Id, out _);
                    if (currentIteration == lease.Task.Key.IterationKey)
                        currentIteration = null;
                    continue;
                }
                if (result is null && evaluation.Exception!.InnerException is EvaluationRefusedException refusal)
                    deliveries.Add(Refuse(lease, refusal, abandon));
                else if (result is null)
                    deliveries.Add(ReportFailure(lease, evaluation.Exception!.InnerException!, abandon));
                else
                    deliveries.Add(Deliver(lease, result, abandon));
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Slot {Slot} on {Device}: {Error}; retrying.", slot.Index, slot.Device, e.Message);
                await Task.Delay(options.RetryDelay, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        // A lease prefetched when the stop came stays held: the shutdown path hands it back.
        if (next is not null)
            await next.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task<Lease?> TakeLease()
    {
        if (leased.IsEmpty)
        {
            foreach (var lease in await NextLeases(Math.Max(1, options.Prefetch)))
            {
                held[lease.Id] = lease;
                notStarted[lease.Id] = true;
                leased.Enqueue(lease);
            }
        }
        return leased.TryDequeue(out var next) ? next : null;
    }

    // The next lease, taken while the current task is evaluated; a failure here only means no prefetch.
    private async Task<Lease?> Prefetch()
    {
        try
        {
            return await TakeLease();
        }
        catch (Exception e)
        {
            logger.LogWarning("Slot {Slot} on {Device} could not prefetch work: {Error}", slot.Index, slot.Device, e.Message);
            return null;
        }
    }

    private async Task<ImmutableArray<Lease>> NextLeases(int count)
    {
        if (currentIteration is { } current && !refused.ContainsKey(current))
        {
            var next = await grains.GetGrain<ISensitivityIterationGrain>(current).LeaseMany(silo, slot.Index, count);
            if (!next.IsEmpty)
                return next;
        }
        currentIteration = null;
        foreach (var key in (await grains.GetGrain<IWorkBoardGrain>(WorkBoards.Sensitivity).OpenIterations()).Where(key => !refused.ContainsKey(key)))
        {
            var leases = await grains.GetGrain<ISensitivityIterationGrain>(key).LeaseMany(silo, slot.Index, count);
            if (!leases.IsEmpty)
            {
                currentIteration = key;
                return leases;
            }
        }
        return [];
    }

    // The evaluation's result stamped with where and how long it ran, or null when the evaluator threw (not cancelled)
    // or was stopped because its iteration was withdrawn (then <paramref name="withdrawn"/> is cancelled).
    private async Task<VariantResult?> WhileRenewing(Lease lease, Task<VariantResult> evaluation, CancellationTokenSource withdrawn, CancellationToken stopping)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await evaluation.WaitAsync(lease.Ttl / 3, stopping);
                break;
            }
            catch (TimeoutException)
            {
                if (await RenewHeld(lease) && !withdrawn.IsCancellationRequested)
                {
                    logger.LogInformation("Iteration {Iteration} was withdrawn (its campaign was cancelled); slot {Slot} stops evaluating {Variant}.",
                        lease.Task.Key.IterationKey, slot.Index, lease.Task.Key.GrainKey);
                    await withdrawn.CancelAsync();
                }
            }
            catch (Exception) when (evaluation.IsFaulted && !stopping.IsCancellationRequested)
            {
                return null;
            }
        }
        return evaluation.Result with { Seconds = clock.Elapsed.TotalSeconds, Silo = silo, Device = slot.Device };
    }

    // Renews every lease this slot holds: the one evaluated, the prefetched one, and those whose results are on the way.
    // True when the current lease's iteration was withdrawn.
    private async Task<bool> RenewHeld(Lease current)
    {
        var withdrawn = false;
        foreach (var lease in held.Values.ToList())
        {
            var renewal = await grains.GetGrain<ISensitivityIterationGrain>(lease.Task.Key.IterationKey).Renew(lease.Id);
            if (renewal == LeaseRenewal.Held)
                continue;
            if (lease.Id == current.Id && renewal == LeaseRenewal.Withdrawn)
                withdrawn = true;
            else if (lease.Id == current.Id)
                logger.LogInformation("Lease of {Variant} was taken back while slot {Slot} evaluated it; finishing anyway (first result wins).", lease.Task.Key.GrainKey, slot.Index);
            else if (notStarted.ContainsKey(lease.Id))
                held.TryRemove(lease.Id, out _);   // its task went to another slot, or its campaign was cancelled: do not start it
        }
        return withdrawn;
    }

    private async Task Deliver(Lease lease, VariantResult result, CancellationToken abandon)
    {
        var iteration = grains.GetGrain<ISensitivityIterationGrain>(lease.Task.Key.IterationKey);
        await Retry(() => iteration.Complete(lease.Id, result), "deliver the result of " + lease.Task.Key.GrainKey, abandon);
        held.TryRemove(lease.Id, out _);
    }

    // This silo cannot do the iteration's work: not the variant's fault, so no Fail (which would count against it on
    // every silo); the task waits again at once for a silo that can.
    private Task Refuse(Lease lease, EvaluationRefusedException refusal, CancellationToken abandon)
    {
        var iteration = lease.Task.Key.IterationKey;
        refused[iteration] = true;
        logger.LogError("Slot {Slot} on {Device} refuses the work of iteration {Iteration}: {Reason}", slot.Index, slot.Device, iteration, refusal.Message);
        return HandBack(lease, abandon);
    }

    private async Task HandBack(Lease lease, CancellationToken abandon)
    {
        var iteration = grains.GetGrain<ISensitivityIterationGrain>(lease.Task.Key.IterationKey);
        await Retry(() => iteration.Release(lease.Id), "hand back the lease of " + lease.Task.Key.GrainKey, abandon);
        held.TryRemove(lease.Id, out _);
    }

    private async Task ReportFailure(Lease lease, Exception error, CancellationToken abandon)
    {
        logger.LogError(error, "Slot {Slot} on {Device} failed to evaluate {Variant}: {Error}", slot.Index, slot.Device, lease.Task.Key.GrainKey, error.Message);
        var iteration = grains.GetGrain<ISensitivityIterationGrain>(lease.Task.Key.IterationKey);
        await Retry(() => iteration.Fail(lease.Id, lease.Task.Key, $"{error.GetType().Name}: {error.Message}"), "report the failure of " + lease.Task.Key.GrainKey, abandon);
        held.TryRemove(lease.Id, out _);
    }

    // Retries a grain call until it succeeds or the silo goes down hard. A rejected argument is a bug, not a transient
    // failure: it is logged once and not retried.
    private async Task Retry(Func<Task> call, string what, CancellationToken abandon)
    {
        while (true)
        {
            try
            {
                await call();
                return;
            }
            catch (ArgumentException e)
            {
                logger.LogError(e, "Slot {Slot} could not {What}: {Error}", slot.Index, what, e.Message);
                return;
            }
            catch (Exception e) when (!abandon.IsCancellationRequested)
            {
                logger.LogWarning("Slot {Slot} could not {What}: {Error}; retrying.", slot.Index, what, e.Message);
                await Task.Delay(options.RetryDelay, abandon).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (Exception) when (abandon.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
