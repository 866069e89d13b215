namespace PruneCluster.Grains.Contracts;

/// <summary>
/// One unit of work: a variant, its estimated cost (the GFLOPs its evaluation recomputes; the aggregator hands out
/// the largest first) and how to evaluate it.
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.VariantTask")]
public sealed record VariantTask(
    [property: Id(0)] VariantKey Key,
    [property: Id(1)] double Cost,
    [property: Id(2)] EvaluationSpec Spec);
