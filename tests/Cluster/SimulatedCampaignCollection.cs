namespace PruneCluster.Tests.Cluster;

/// <summary>The tests that share the simulated-campaign cluster (one after the other).</summary>
[CollectionDefinition(Name)]
public sealed class SimulatedCampaignCollection : ICollectionFixture<SimulatedCampaignFixture>
{
    public const string Name = "simulated campaigns";
}
