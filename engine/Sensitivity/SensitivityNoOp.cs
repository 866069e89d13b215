namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// A (layer, rate) whose pruning changes nothing: the rate would remove every filter of the layer, so the pruner
/// leaves it alone (as the paper's code does) and its line measures the unpruned model. Layer selection never picks it.
/// </summary>
/// <param name="Layer">Prunable layer index.</param>
/// <param name="Rate">Pruning rate.</param>
/// <param name="Filters">The layer's filter count.</param>
public sealed record SensitivityNoOp(int Layer, double Rate, long Filters);
