namespace PruneCluster.Grains;

/// <summary>The grain storage the cluster's grains persist to; the host decides what backs it (memory, Redis).</summary>
public static class StorageNames
{
    public const string Cluster = "prunecluster";
}
