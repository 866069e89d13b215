namespace PruneCluster.Engine.Data;

/// <summary>The labels kept for one image, the issues found, and whether the image leaves the set.</summary>
internal sealed record LabelCheckResult(IReadOnlyList<NormalizedLabel> Labels, IReadOnlyList<DatasetIssue> Issues, bool SkipImage)
{
    public static LabelCheckResult Skip(DatasetIssue issue) => new([], [issue], SkipImage: true);
}
