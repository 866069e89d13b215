using System.Collections.Immutable;
using System.Diagnostics;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Tests.Cluster;

/// <summary>Opens an iteration on a cluster and waits for its status to satisfy a condition.</summary>
public static class IterationRun
{
    public static async Task<ISensitivityIterationGrain> Open(IGrainFactory grains, ImmutableArray<VariantTask> tasks, TimeSpan leaseTtl)
    {
        var iteration = grains.GetGrain<ISensitivityIterationGrain>(tasks[0].Key.IterationKey);
        await iteration.Open(tasks, leaseTtl);
        return iteration;
    }

    public static async Task<IterationStatus> WaitFor(ISensitivityIterationGrain iteration, Func<IterationStatus, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await iteration.GetStatus();
            if (condition(status))
                return status;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"iteration stuck at {status.Done}/{status.Total} ({status.Leases.Length} leases out, {status.Waiting} waiting)");
            await Task.Delay(25);
        }
    }
}
