namespace PruneCluster.Grains.Contracts;

/// <summary>
/// The cluster's registry of evaluation slots (one grain, key 0, in memory): every silo reports its slots every few
/// seconds and a report three periods old drops out, so a dead silo's slots vanish without anyone telling. After a
/// restart of its host it fills again within one period. <see cref="GetStatus"/> joins the reports with Orleans'
/// membership, the work board and the job board.
/// </summary>
[Alias("PruneCluster.IClusterStatusGrain")]
public interface IClusterStatusGrain : IGrainWithIntegerKey
{
    [Alias("Report")]
    Task Report(SiloSlots slots);

    /// <summary>A silo that stops gracefully takes its slots off at once.</summary>
    [Alias("Leave")]
    Task Leave(string silo);

    [Alias("GetStatus")]
    Task<ClusterStatus> GetStatus();
}
