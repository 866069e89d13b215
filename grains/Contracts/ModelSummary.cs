namespace PruneCluster.Grains.Contracts;

/// <summary>One model as a campaign knows it: fused parameters, GFLOPs at the campaign's image size, mAP@.5 and
/// mAP@.5:.95 on the validation split, and its checkpoint's artifact digest.</summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.ModelSummary")]
public sealed record ModelSummary(
    [property: Id(0)] long Params,
    [property: Id(1)] double Gflops,
    [property: Id(2)] double Map50,
    [property: Id(3)] double Map,
    [property: Id(4)] string Checkpoint);
