namespace PruneCluster.Tests.Cluster;

/// <summary>The tests that share one three-silo cluster (and run one after the other).</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
