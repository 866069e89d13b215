using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Evaluation;

namespace PruneCluster.Grains.Jobs;

/// <summary>
/// Runs one campaign job on one device slot, synchronously, on the slot's own thread; reports progress (sent to the
/// job grain with every lease renewal) and gives up promptly (throws) when cancelled. The worker fills in where and
/// how long it ran. The host registers it; a silo without one takes no jobs.
/// </summary>
public interface ICampaignJobRunner
{
    JobResult Run(CampaignJob job, DeviceSlot slot, IProgress<JobProgress> progress, CancellationToken cancellationToken);
}
