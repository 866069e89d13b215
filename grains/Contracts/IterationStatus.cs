using System.Collections.Immutable;

namespace PruneCluster.Grains.Contracts;

/// <summary>
/// Progress of one iteration's sensitivity work: results in, tasks waiting, leases out, results per silo, throughput
/// since the first lease, the remaining time at that rate, the leases that expired (their tasks were redone) and the
/// variants that failed on every attempt; withdrawn: off the board (its campaign was cancelled), nothing is leased.
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.IterationStatus")]
public sealed record IterationStatus(
    [property: Id(0)] int Done,
    [property: Id(1)] int Total,
    [property: Id(2)] int Waiting,
    [property: Id(3)] ImmutableArray<Lease> Leases,
    [property: Id(4)] ImmutableDictionary<string, int> DonePerSilo,
    [property: Id(5)] double EvaluationsPerSecond,
    [property: Id(6)] TimeSpan? Eta,
    [property: Id(7)] ImmutableArray<Lease> Expired,
    [property: Id(8)] ImmutableArray<VariantFailure> Failed,
    [property: Id(9)] bool Withdrawn = false)
{
    /// <summary>Every variant settled: a result in, or failed on every attempt (<see cref="CompletedWithFailures"/>).</summary>
    public bool Complete => Total > 0 && Done + Failed.Length == Total;

    public bool CompletedWithFailures => Complete && Failed.Length > 0;
}
