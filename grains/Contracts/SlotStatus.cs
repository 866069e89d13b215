namespace PruneCluster.Grains.Contracts;

/// <summary>One evaluation slot of a silo: its index, its device ("cpu", "cuda:1") and what it works on (null: idle).</summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.SlotStatus")]
public sealed record SlotStatus(
    [property: Id(0)] int Index,
    [property: Id(1)] string Device,
    [property: Id(2)] SlotActivity? Activity)
{
    public bool Busy => Activity is not null;
}
