namespace PruneCluster.Engine.Campaign;

/// <summary>How an iteration chooses the layers to prune.</summary>
public enum SelectionMode
{
    /// <summary>The paper's layer_selection.py: <c>params_layers</c> and <c>flops_layers</c> picks by score.</summary>
    Paper,

    /// <summary>
    /// The set of (layer, rate) pairs that removes at least <c>gflops_step</c> of the current GFLOPs with the least
    /// predicted mAP loss (see <see cref="TargetSelector"/>).
    /// </summary>
    Target,
}
