namespace PruneCluster.Grains.Contracts;

/// <summary>A job handed to one slot of one silo until <see cref="Expires"/> (job grain clock); renewed with progress.</summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.JobLease")]
public sealed record JobLease(
    [property: Id(0)] string Id,
    [property: Id(1)] CampaignJob Job,
    [property: Id(2)] string Silo,
    [property: Id(3)] int Slot,
    [property: Id(4)] DateTime Expires,
    [property: Id(5)] TimeSpan Ttl);
