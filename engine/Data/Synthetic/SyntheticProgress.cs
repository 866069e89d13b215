namespace PruneCluster.Engine.Data.Synthetic;

/// <summary>Images written so far out of the total.</summary>
public sealed record SyntheticProgress(int Done, int Total);
