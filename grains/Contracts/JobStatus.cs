namespace PruneCluster.Grains.Contracts;

/// <summary>
/// A job as its grain knows it: state, the silo running it, attempts begun (a lease that expired or failed counts),
/// the last progress, when the current attempt started and the last error.
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.JobStatus")]
public sealed record JobStatus(
    [property: Id(0)] JobKey Key,
    [property: Id(1)] JobState State,
    [property: Id(2)] string? Silo,
    [property: Id(3)] int Attempts,
    [property: Id(4)] JobProgress? Progress,
    [property: Id(5)] DateTime? Started,
    [property: Id(6)] string? Error);
