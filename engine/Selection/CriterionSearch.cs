namespace PruneCluster.Engine.Selection;

/// <summary>How one of the two searches (parameters or GFLOPs) went.</summary>
/// <param name="Criterion">"params" or "FLOPS", as the paper names them.</param>
/// <param name="RequestedLayers">--params-layers or --flops-layers.</param>
/// <param name="MapExponent">--params-map or --flops-map.</param>
/// <param name="Picks">The (layer, rate) pairs this search chose, in the paper's order, without repeats.</param>
/// <param name="PaperLoopEnds">
/// True when the paper's threshold loop ends and <see cref="Picks"/> is exactly its result; false when the paper's
/// loop would run forever (or divide by zero) and the documented fallback rule chose instead.
/// </param>
/// <param name="Frac">The loop's final <c>frac</c> (threshold = best score / frac) when it ends, else null.</param>
/// <param name="BestScore">The largest score over all layers and rates (the paper's <c>max_p</c>).</param>
public sealed record CriterionSearch(
    string Criterion,
    int RequestedLayers,
    double MapExponent,
    IReadOnlyList<(int Layer, double Rate)> Picks,
    bool PaperLoopEnds,
    double? Frac,
    double BestScore);
