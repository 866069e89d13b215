namespace PruneCluster.Grains.Contracts;

/// <summary>
/// One (layer, rate) of an iteration's ranked table: the variant's mAP@.5 and mAP@.5:.95, the mAP lost against the
/// iteration's input (ΔmAP, negative = lost), what pruning it removes, its score (the paper's GFLOPs score:
/// GFLOPs removed × mAP^flops_map) and whether the selection picked it.
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.LayerTableRow")]
public sealed record LayerTableRow(
    [property: Id(0)] int Layer,
    [property: Id(1)] double Rate,
    [property: Id(2)] double Map50,
    [property: Id(3)] double Map,
    [property: Id(4)] double DeltaMap,
    [property: Id(5)] long ParamsRemoved,
    [property: Id(6)] double GflopsRemoved,
    [property: Id(7)] double Score,
    [property: Id(8)] bool Selected);
