namespace PruneCluster.Engine.Selection;

/// <summary>Why a (layer, rate) was selected, as layer_selection.py labels it.</summary>
public enum SelectionTarget
{
    /// <summary>Chosen by the GFLOPs score only (the paper's 'FLOPS').</summary>
    Flops,

    /// <summary>Chosen by the parameter score only (the paper's 'params').</summary>
    Params,

    /// <summary>Chosen by both scores at the same rate (the paper's 'both').</summary>
    Both,
}
