using System.Collections.Immutable;

namespace PruneCluster.Grains.Contracts;

/// <summary>
/// A campaign as its coordinator serves it: phase, current iteration and a one-line step, the measured baseline and
/// every iteration so far, the running job (progress, ETA) or the running sensitivity iteration (done/total, per silo,
/// ETA), and how it ended (<see cref="Outcome"/>, the iteration whose model is the result) or failed.
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.CampaignStatus")]
public sealed record CampaignStatus(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] CampaignPhase Phase,
    [property: Id(3)] int Iteration,
    [property: Id(4)] string Step,
    [property: Id(5)] ModelSummary? Baseline,
    [property: Id(6)] ImmutableArray<IterationSummary> Iterations,
    [property: Id(7)] JobStatus? Job,
    [property: Id(8)] IterationStatus? Sensitivity,
    [property: Id(9)] string? Outcome,
    [property: Id(10)] int? FinalIteration,
    [property: Id(11)] string? Failure,
    [property: Id(12)] DateTime Created,
    [property: Id(13)] DateTime Updated)
{
    /// <summary>Nothing more will run unless someone resumes it.</summary>
    public bool Ended => Phase is CampaignPhase.Finished or CampaignPhase.Cancelled or CampaignPhase.Failed;
}
