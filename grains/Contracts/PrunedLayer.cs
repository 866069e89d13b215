namespace PruneCluster.Grains.Contracts;

/// <summary>A (layer, rate) pair of a pruning list: conv layer <see cref="Layer"/> loses that share of its filters.</summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.PrunedLayer")]
public sealed record PrunedLayer(
    [property: Id(0)] int Layer,
    [property: Id(1)] double Rate);
