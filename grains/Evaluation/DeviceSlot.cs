namespace PruneCluster.Grains.Evaluation;

/// <summary>One evaluation slot of a silo: a device ("cpu", "cuda:1") and the slot's index among the silo's slots.</summary>
public sealed record DeviceSlot(string Device, int Index);
