namespace PruneCluster.Grains.Contracts;

/// <summary>
/// A variant whose evaluation failed on every one of its <see cref="Attempts"/> tries (a deterministic error such as a
/// data set a silo cannot read): the iteration settles it without a result and finishes "completed with failures".
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.VariantFailure")]
public sealed record VariantFailure(
    [property: Id(0)] VariantKey Key,
    [property: Id(1)] int Attempts,
    [property: Id(2)] string Error);
