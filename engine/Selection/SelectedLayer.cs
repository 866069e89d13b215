namespace PruneCluster.Engine.Selection;

/// <summary>One row of the selection table: a (layer, rate) pair of the <c>--pruning-params</c> list.</summary>
/// <param name="Layer">Conv-layer index.</param>
/// <param name="Rate">Pruning rate.</param>
/// <param name="ChosenFor">Which score picked it.</param>
/// <param name="Map">mAP@0.5:0.95 of the sensitivity run that pruned only this layer at this rate.</param>
/// <param name="ParamsRemoved">Baseline parameters minus those left by that run.</param>
/// <param name="GflopsRemoved">Baseline GFLOPs minus those left by that run.</param>
/// <param name="ParamsRemovedShare">ParamsRemoved / baseline parameters.</param>
/// <param name="GflopsRemovedShare">GflopsRemoved / baseline GFLOPs.</param>
/// <param name="MergedRate">
/// The other search's smaller rate for this layer when both searches picked the layer at different rates (the row
/// keeps the larger; see <see cref="LayerSelector"/>), else null.
/// </param>
public sealed record SelectedLayer(
    int Layer,
    double Rate,
    SelectionTarget ChosenFor,
    double Map,
    long ParamsRemoved,
    double GflopsRemoved,
    double ParamsRemovedShare,
    double GflopsRemovedShare,
    double? MergedRate = null);
