namespace PruneCluster.Engine.Campaign;

/// <summary>How each iteration selects layers; the paper's arguments keep their names and defaults.</summary>
/// <param name="Mode">Paper or target mode.</param>
/// <param name="ParamsLayers">Paper mode: <c>--params-layers</c>.</param>
/// <param name="FlopsLayers">Paper mode: <c>--flops-layers</c>.</param>
/// <param name="ParamsMap">Paper mode: <c>--params-map</c>, the exponent k of score = reduction × mAP^k.</param>
/// <param name="FlopsMap">Paper mode: <c>--flops-map</c>.</param>
/// <param name="GflopsStep">Target mode: share of the current model's GFLOPs to remove per iteration (0..1).</param>
/// <param name="RoundTo">Each pruned layer keeps a multiple of this many filters (<c>--round-to</c>; 1 = the paper's counts).</param>
public sealed record SelectionSpec(
    SelectionMode Mode = SelectionMode.Paper,
    int ParamsLayers = 6,
    int FlopsLayers = 5,
    double ParamsMap = 20,
    double FlopsMap = 20,
    double GflopsStep = 0.15,
    int RoundTo = 1);
