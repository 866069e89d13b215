namespace PruneCluster.Grains.Contracts;

/// <summary>A campaign in the cluster's directory.</summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.CampaignEntry")]
public sealed record CampaignEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] DateTime Created);
