using PruneCluster.Engine.Sensitivity;

namespace PruneCluster.Engine.Selection;

/// <summary>The result of <see cref="LayerSelector.Select"/>: the rows in the paper's output order and both searches.</summary>
/// <param name="Layers">Selected (layer, rate) rows, FLOPs picks first, then new parameter picks (the paper's dict order), one row per layer.</param>
/// <param name="ParamsSearch">The parameter search.</param>
/// <param name="FlopsSearch">The GFLOPs search.</param>
/// <param name="BaselineParams">The baseline parameter count used.</param>
/// <param name="BaselineGflops">The baseline GFLOPs used.</param>
public sealed record LayerSelection(
    IReadOnlyList<SelectedLayer> Layers,
    CriterionSearch ParamsSearch,
    CriterionSearch FlopsSearch,
    long BaselineParams,
    double BaselineGflops)
{
    /// <summary>The list as (layer, rate) pairs, ready for pruning.</summary>
    public IReadOnlyList<(int Layer, double Rate)> PruningParams => Layers.Select(l => (l.Layer, l.Rate)).ToList();

    /// <summary>
    /// The list exactly as layer_selection.py prints it, e.g. <c>[(20, 0.75), (21, 0.75)]</c>; pasteable into
    /// <c>--pruning-params</c>.
    /// </summary>
    public string PaperSyntax => "[" + string.Join(", ", Layers.Select(l => $"({l.Layer}, {PythonRepr.Float(l.Rate)})")) + "]";

    /// <summary>
    /// Rows where both searches picked the layer at different rates (the paper's list would name the layer twice,
    /// which <c>--pruning-params</c> rejects); each keeps the larger rate, <see cref="SelectedLayer.MergedRate"/> the other.
    /// </summary>
    public IReadOnlyList<SelectedLayer> Merged => Layers.Where(l => l.MergedRate is not null).ToList();
}
