namespace PruneCluster.Engine.Sensitivity;

/// <summary>Where a running analysis stands: evaluations done out of the total, time so far and the estimate left.</summary>
public sealed record SensitivityProgress(int Done, int Total, int Skipped, TimeSpan Elapsed, TimeSpan? Remaining, IReadOnlyList<SensitivityResult> Results);
