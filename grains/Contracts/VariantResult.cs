using System.Collections.Immutable;

namespace PruneCluster.Grains.Contracts;

/// <summary>
/// A variant's measured result: the metrics of the pruned network, its size, how long the evaluation took and where it
/// ran (silo address and device).
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.VariantResult")]
public sealed record VariantResult(
    [property: Id(0)] VariantKey Key,
    [property: Id(1)] double Mp,
    [property: Id(2)] double Mr,
    [property: Id(3)] double Map50,
    [property: Id(4)] double Map,
    [property: Id(5)] ImmutableArray<double> PerClassMaps,
    [property: Id(6)] long Params,
    [property: Id(7)] double Gflops,
    [property: Id(8)] double Seconds,
    [property: Id(9)] string Silo,
    [property: Id(10)] string Device,
    [property: Id(11)] double InferenceMs = 0,
    [property: Id(12)] double NmsMs = 0)
{
    // Value equality over the per-class maps too (ImmutableArray compares references).
    public bool Equals(VariantResult? other) =>
        other is not null && SameMetrics(other) && Seconds == other.Seconds && Silo == other.Silo && Device == other.Device
        && InferenceMs.Equals(other.InferenceMs) && NmsMs.Equals(other.NmsMs);

    public override int GetHashCode() => HashCode.Combine(Key, Map, Silo);

    /// <summary>True when both carry the same measurements, wherever and however fast they were made.</summary>
    public bool SameMetrics(VariantResult other) =>
        Key == other.Key && Mp == other.Mp && Mr == other.Mr && Map50 == other.Map50 && Map == other.Map
        && PerClassMaps.SequenceEqual(other.PerClassMaps) && Params == other.Params && Gflops == other.Gflops;
}
