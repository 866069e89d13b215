using System.Collections.Immutable;

namespace PruneCluster.Grains.Contracts;

/// <summary>
/// A finished job's result, written once: the measured model (Measure, Prune, FineTune; its checkpoint is the output
/// artifact's digest) or the variant tasks with their costs (PlanSensitivity), where and how long it ran.
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.JobResult")]
public sealed record JobResult(
    [property: Id(0)] ModelSummary? Model,
    [property: Id(1)] ImmutableArray<VariantTask> Tasks,
    [property: Id(2)] string Silo,
    [property: Id(3)] double Seconds);
