using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Evaluation;

namespace PruneCluster.Grains.Jobs;

/// <summary>
/// The job side of an evaluation slot: lease a waiting campaign job from the job board, run it on the slot's thread
/// while renewing the lease with its progress (a renewal answering Cancelled or Lost stops it), then complete it, or
/// report the failure (the job grain counts attempts). Jobs go before variants: they are on the campaign's critical path.
/// </summary>
public sealed class SlotJobs(DeviceSlot slot, string silo, IGrainFactory grains, ICampaignJobRunner runner, ILogger logger)
{
    /// <summary>The job lease this slot holds now, if any (read by the shutdown path to hand it back).</summary>
    public (string Job, string LeaseId)? Held { get; private set; }

    /// <summary>The job this slot runs now and for how long, if any (for <see cref="IClusterStatusGrain"/>).</summary>
    public SlotActivity? Activity => running is { } r
        ? new SlotActivity(r.Item1.Kind.ToString(), r.Item1.Campaign, r.Item1.Iteration, null, null, Stopwatch.GetElapsedTime(r.Item2))
        : null;

    // The job run now and when it started; a reference, so that the silo's report (another thread) reads it whole.
    private volatile Tuple<JobKey, long>? running;

    /// <summary>Runs one waiting job if there is one; false when none waits.</summary>
    public async Task<bool> TryRunOne(SlotThread thread, CancellationToken stopping)
    {
        var lease = await NextLease();
        if (lease is null)
            return false;
        var job = grains.GetGrain<IJobGrain>(lease.Job.Key.GrainKey);
        Held = (lease.Job.Key.GrainKey, lease.Id);
        running = Tuple.Create(lease.Job.Key, Stopwatch.GetTimestamp());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var progress = new LatestProgress();
        var clock = Stopwatch.StartNew();
        var run = thread.Run(() => runner.Run(lease.Job, slot, progress, stop.Token));
        while (await Task.WhenAny(run, Task.Delay(lease.Ttl / 3, stopping)) != run)
        {
            stopping.ThrowIfCancellationRequested();
            var renewal = await job.Renew(lease.Id, progress.Value);
            if (renewal != JobRenewal.Held && !stop.IsCancellationRequested)
            {
                logger.LogInformation("Job {Job} on slot {Slot}: {Renewal}; stopping it.", lease.Job.Key.GrainKey, slot.Index, renewal);
                await stop.CancelAsync();
            }
        }
        try
        {
            var result = await run;
            stopping.ThrowIfCancellationRequested();
            await job.Complete(lease.Id, result with { Silo = silo, Seconds = clock.Elapsed.TotalSeconds });
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            if (!stop.IsCancellationRequested)
            {
                logger.LogWarning(e, "Job {Job} failed on slot {Slot}: {Error}", lease.Job.Key.GrainKey, slot.Index, e.Message);
                await job.Fail(lease.Id, OneLine(e));
            }
        }
        Held = null;
        running = null;
        return true;
    }

    private async Task<JobLease?> NextLease()
    {
        foreach (var key in await grains.GetGrain<IWorkBoardGrain>(WorkBoards.Jobs).OpenIterations())
        {
            if (await grains.GetGrain<IJobGrain>(key).Lease(silo, slot.Index) is { } lease)
                return lease;
        }
        return null;
    }

    private static string OneLine(Exception e) => $"{e.GetType().Name}: {e.Message}".ReplaceLineEndings(" ");
}
