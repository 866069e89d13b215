namespace PruneCluster.Engine.Data;

/// <summary>YOLOv7's label bookkeeping per image: found (nf), missing (nm), empty (ne); plus unreadable.</summary>
internal enum LabelFileState
{
    Found,
    Missing,
    Empty,
    Unreadable,
}
