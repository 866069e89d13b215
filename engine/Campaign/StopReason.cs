namespace PruneCluster.Engine.Campaign;

/// <summary>Why a campaign ended.</summary>
public enum StopReason
{
    /// <summary>The params or GFLOPs target of the stop rules is reached.</summary>
    TargetReached,

    /// <summary>The configured number of iterations is done.</summary>
    MaxIterations,

    /// <summary>The last iteration's fine-tuned mAP fell below <c>map_floor</c>; its model is rejected.</summary>
    MapBelowFloor,

    /// <summary>The last iteration lost more than <c>max_map_drop</c>; its model is rejected.</summary>
    MapDropTooLarge,

    /// <summary>Selection found nothing to prune, or pruning removed nothing.</summary>
    NothingToPrune,

    /// <summary>A user cancelled the campaign (it can be resumed).</summary>
    Cancelled,
}
