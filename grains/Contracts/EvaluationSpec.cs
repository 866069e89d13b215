namespace PruneCluster.Grains.Contracts;

/// <summary>
/// What an evaluator needs besides the variant: the campaign's model and data (by content digest; artifacts and data
/// are read from storage every silo sees, never sent through grains) and the evaluation settings. Plain data.
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.EvaluationSpec")]
public sealed record EvaluationSpec(
    [property: Id(0)] string ModelDigest,
    [property: Id(1)] string DataDigest,
    [property: Id(2)] int Img,
    [property: Id(3)] int Batch,
    [property: Id(4)] int Criterion,
    [property: Id(5)] int Seed);
