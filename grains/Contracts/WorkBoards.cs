namespace PruneCluster.Grains.Contracts;

/// <summary>The keys of the cluster's two <see cref="IWorkBoardGrain"/>s: open sensitivity iterations and open jobs.</summary>
public static class WorkBoards
{
    /// <summary>Aggregator keys ("{campaign}/{iteration}") with variants waiting.</summary>
    public const long Sensitivity = 0;

    /// <summary>Job keys (<see cref="JobKey.GrainKey"/>) waiting or running.</summary>
    public const long Jobs = 1;
}
