namespace PruneCluster.Engine.Campaign;

/// <summary>Where a local campaign is: the phase running and, when the phase can estimate it, its time left.</summary>
/// <param name="Iteration">1 for the first iteration; 0 for the baseline.</param>
/// <param name="Phase">baseline, sensitivity, select, prune or fine-tune.</param>
/// <param name="Detail">What the phase reports (e.g. "epoch 3/10 batch 5/13").</param>
/// <param name="Remaining">The phase's estimated time left; null when it has none.</param>
public sealed record CampaignProgress(int Iteration, string Phase, string Detail, TimeSpan? Remaining);
