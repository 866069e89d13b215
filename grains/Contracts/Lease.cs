namespace PruneCluster.Grains.Contracts;

/// <summary>
/// A task handed to one evaluation slot of one silo until <see cref="Expires"/> (aggregator clock). The holder renews it
/// every <see cref="Ttl"/>/3 while it evaluates; a lease not renewed in time returns its task to the queue.
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.Lease")]
public sealed record Lease(
    [property: Id(0)] string Id,
    [property: Id(1)] VariantTask Task,
    [property: Id(2)] string Silo,
    [property: Id(3)] int Slot,
    [property: Id(4)] DateTime Expires,
    [property: Id(5)] TimeSpan Ttl);
