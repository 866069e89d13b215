using System.Collections.Immutable;

namespace PruneCluster.Grains.Contracts;

/// <summary>
/// The cluster at one moment (<see cref="IClusterStatusGrain.GetStatus"/>): its active silos with their slots, the
/// iterations with open work on the work board, and the campaign jobs waiting or running.
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.ClusterStatus")]
public sealed record ClusterStatus(
    [property: Id(0)] DateTime Time,
    [property: Id(1)] ImmutableArray<ClusterSilo> Silos,
    [property: Id(2)] ImmutableArray<QueuedIteration> Queue,
    [property: Id(3)] ImmutableArray<JobStatus> Jobs);

/// <summary>
/// One silo of the membership: address, name, membership status, start time (UTC) and its slots as last reported;
/// <see cref="ReportAge"/> is null when no report has come in (just started, or its reports stopped three periods ago).
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.ClusterSilo")]
public sealed record ClusterSilo(
    [property: Id(0)] string Address,
    [property: Id(1)] string Name,
    [property: Id(2)] string Status,
    [property: Id(3)] DateTime Since,
    [property: Id(4)] ImmutableArray<SlotStatus> Slots,
    [property: Id(5)] TimeSpan? ReportAge);

/// <summary>An iteration on the work board: tasks waiting, leased (being evaluated), done, failed for good, in all.</summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.QueuedIteration")]
public sealed record QueuedIteration(
    [property: Id(0)] string Key,
    [property: Id(1)] int Waiting,
    [property: Id(2)] int Leased,
    [property: Id(3)] int Done,
    [property: Id(4)] int Failed,
    [property: Id(5)] int Total);
