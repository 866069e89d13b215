namespace PruneCluster.Engine.Sensitivity;

/// <summary>How a fast analysis reused the unpruned model's activations: batches computed once for all variants, the
/// most memory they held, and whether the budget made some batch be computed per variant instead.</summary>
public sealed record ActivationCacheUse(int CachedBatches, int Batches, long PeakBytes, bool OverBudget);
