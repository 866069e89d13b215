namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// Where a running analysis stands: evaluations done out of the total (<paramref name="Skipped"/> of them found in the
/// folder), time so far, the estimate left, the folder's results and the next (layer, rate) to evaluate (null when
/// none is left).
/// </summary>
public sealed record SensitivityProgress(int Done, int Total, int Skipped, TimeSpan Elapsed, TimeSpan? Remaining, IReadOnlyList<SensitivityResult> Results,
    (int Layer, double Rate)? Next = null);
