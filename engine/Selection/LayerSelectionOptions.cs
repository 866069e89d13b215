namespace PruneCluster.Engine.Selection;

/// <summary>
/// The arguments of the paper's layer_selection.py (same names, same defaults except the baselines, which
/// belong to the model the sensitivity analysis was run on).
/// </summary>
/// <param name="BaselineParams"><c>--params</c>: parameter count of the unpruned model.</param>
/// <param name="BaselineGflops"><c>--flops</c>: GFLOPs of the unpruned model (same image size as the analysis).</param>
/// <param name="ParamsLayers"><c>--params-layers</c>: how many layers to pick for removing parameters.</param>
/// <param name="FlopsLayers"><c>--flops-layers</c>: how many layers to pick for removing GFLOPs.</param>
/// <param name="ParamsMap"><c>--params-map</c>: exponent k of mAP in the parameter score reduction × mAP^k.</param>
/// <param name="FlopsMap"><c>--flops-map</c>: exponent k of mAP in the GFLOPs score reduction × mAP^k.</param>
/// <param name="Excluded">(layer, rate) pairs never picked: prunings that changed nothing (<c>analysis.json</c>'s no-ops).</param>
public sealed record LayerSelectionOptions(
    long BaselineParams,
    double BaselineGflops,
    int ParamsLayers = 6,
    int FlopsLayers = 5,
    double ParamsMap = 20,
    double FlopsMap = 20,
    IReadOnlyCollection<(int Layer, double Rate)>? Excluded = null);
