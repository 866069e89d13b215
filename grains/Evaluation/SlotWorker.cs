using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Jobs;

namespace PruneCluster.Grains.Evaluation;

/// <summary>
/// One evaluation slot's loop: run a waiting campaign job if there is one (<see cref="SlotJobs"/>), else lease the largest waiting task of an open iteration, evaluate it on the slot's thread
/// while renewing the lease, record the result in the variant's grain, complete the lease. Failed grain calls are
/// retried after a pause; the lease protocol makes every step safe to repeat.
/// </summary>
public sealed class SlotWorker(DeviceSlot slot, string silo, IGrainFactory grains, IVariantEvaluator evaluator, SlotJobs? jobs, EvaluationWorkerOptions options, ILogger logger)
{
    private string? currentIteration;

    /// <summary>The lease this slot holds now, if any (read by the shutdown path to hand it back).</summary>
    public (string Iteration, string LeaseId)? Held { get; private set; }

    /// <summary>The campaign job this slot runs now, if any.</summary>
    public (string Job, string LeaseId)? HeldJob => jobs?.Held;

    public async Task RunAsync(CancellationToken stopping)
    {
        using var thread = new SlotThread($"evaluation {silo} {slot.Device} #{slot.Index}");
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (jobs is not null && await jobs.TryRunOne(thread, stopping))
                    continue;
                var lease = await NextLease();
                if (lease is null)
                {
                    await Task.Delay(options.IdlePoll, stopping);
                    continue;
                }
                await Work(lease, thread, stopping);
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
    }

    private async Task<Lease?> NextLease()
    {
        if (currentIteration is { } current && await grains.GetGrain<ISensitivityIterationGrain>(current).Lease(silo, slot.Index) is { } next)
            return next;
        currentIteration = null;
        foreach (var key in await grains.GetGrain<IWorkBoardGrain>(0).OpenIterations())
        {
            if (await grains.GetGrain<ISensitivityIterationGrain>(key).Lease(silo, slot.Index) is { } lease)
            {
                currentIteration = key;
                return lease;
            }
        }
        return null;
    }

    private async Task Work(Lease lease, SlotThread thread, CancellationToken stopping)
    {
        var iteration = grains.GetGrain<ISensitivityIterationGrain>(lease.Task.Key.IterationKey);
        var variant = grains.GetGrain<ISensitivityGrain>(lease.Task.Key.GrainKey);
        Held = (lease.Task.Key.IterationKey, lease.Id);
        var result = await Evaluate(lease, iteration, thread, stopping);
        stopping.ThrowIfCancellationRequested();
        var stored = await variant.Record(result);
        await iteration.Complete(lease.Id, stored);
        Held = null;
    }

    private async Task<VariantResult> Evaluate(Lease lease, ISensitivityIterationGrain iteration, SlotThread thread, CancellationToken stopping)
    {
        var clock = Stopwatch.StartNew();
        var evaluation = thread.Run(() => evaluator.Evaluate(lease.Task, slot, stopping));
        var renewEvery = lease.Ttl / 3;
        while (await Task.WhenAny(evaluation, Task.Delay(renewEvery, stopping)) != evaluation)
        {
            stopping.ThrowIfCancellationRequested();
            if (!await iteration.Renew(lease.Id))
                logger.LogInformation("Lease of {Variant} was taken back while slot {Slot} evaluated it; finishing anyway (first result wins).", lease.Task.Key.GrainKey, slot.Index);
        }
        var result = await evaluation;
        return result with { Seconds = clock.Elapsed.TotalSeconds, Silo = silo, Device = slot.Device };
    }
}
