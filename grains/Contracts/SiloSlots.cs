using System.Collections.Immutable;

namespace PruneCluster.Grains.Contracts;

/// <summary>
/// A silo's report of its evaluation slots, sent every <see cref="Period"/> (<see cref="IClusterStatusGrain.Report"/>);
/// a report older than three periods counts as missing (the silo died or stalls).
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.SiloSlots")]
public sealed record SiloSlots(
    [property: Id(0)] string Silo,
    [property: Id(1)] ImmutableArray<SlotStatus> Slots,
    [property: Id(2)] TimeSpan Period);
