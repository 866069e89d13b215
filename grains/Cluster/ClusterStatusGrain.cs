using System.Collections.Immutable;
using Orleans.Concurrency;
using Orleans.Runtime;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Cluster;

/// <summary>
/// The registry of evaluation slots, in memory (the silos' next reports refill it after a restart), and the cluster's
/// status: the membership's active silos (Orleans' management grain) with their last reported slots, the work board's
/// open iterations with their counts, the job board's jobs. Reentrant: a report changes the dictionary synchronously, so
/// reports go on while a status call waits for the other grains.
/// </summary>
[Reentrant]
public sealed class ClusterStatusGrain(TimeProvider clock) : Grain, IClusterStatusGrain
{
    /// <summary>A report older than this many of its periods counts as missing.</summary>
    public const int MissedReports = 3;

    private readonly Dictionary<string, (SiloSlots Report, DateTime Received)> reports = [];

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public Task Report(SiloSlots slots)
    {
        reports[slots.Silo] = (slots, Now);
        return Task.CompletedTask;
    }

    public Task Leave(string silo)
    {
        reports.Remove(silo);
        return Task.CompletedTask;
    }

    public async Task<ClusterStatus> GetStatus()
    {
        var hosts = await GrainFactory.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        var queue = await Queue();
        var jobs = await Jobs();
        var now = Now;
        foreach (var stale in reports.Where(r => now - r.Value.Received > MissedReports * r.Value.Report.Period).Select(r => r.Key).ToList())
            reports.Remove(stale);
        var silos = hosts.OrderBy(h => h.SiloAddress.ToString(), StringComparer.Ordinal).Select(h =>
        {
            var address = h.SiloAddress.ToString();
            if (!reports.TryGetValue(address, out var report))
                return new ClusterSilo(address, h.SiloName, h.Status.ToString(), h.StartTime, [], null);
            var age = now - report.Received;
            // Durations as of now: the report's plus the time since it came in.
            var slots = report.Report.Slots.Select(s => s.Activity is { } a ? s with { Activity = a with { Elapsed = a.Elapsed + age } } : s);
            return new ClusterSilo(address, h.SiloName, h.Status.ToString(), h.StartTime, [.. slots], age);
        });
        return new ClusterStatus(now, [.. silos], queue, jobs);
    }

    private async Task<ImmutableArray<QueuedIteration>> Queue()
    {
        var keys = await GrainFactory.GetGrain<IWorkBoardGrain>(WorkBoards.Sensitivity).OpenIterations();
        var statuses = await Task.WhenAll(keys.Select(k => GrainFactory.GetGrain<ISensitivityIterationGrain>(k).GetStatus()));
        return [.. keys.Zip(statuses, (key, s) => new QueuedIteration(key, s.Waiting, s.Leases.Length, s.Done, s.Failed.Length, s.Total))];
    }

    private async Task<ImmutableArray<JobStatus>> Jobs()
    {
        var keys = await GrainFactory.GetGrain<IWorkBoardGrain>(WorkBoards.Jobs).OpenIterations();
        return [.. await Task.WhenAll(keys.Select(k => GrainFactory.GetGrain<IJobGrain>(k).GetStatus()))];
    }
}
