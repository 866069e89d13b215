namespace PruneCluster.Engine.Sensitivity;

/// <summary>How a fast analysis reused the unpruned model's activations: batches kept for the whole analysis (the
/// others were computed once per group of variants), the most memory they held, and what keeping every batch would
/// take at most (from a one-image probe of every row's size).</summary>
public sealed record ActivationCacheUse(int KeptBatches, int Batches, long PeakBytes, long NeededBytes);
