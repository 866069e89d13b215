namespace PruneCluster.Engine.Data;

/// <summary>
/// One problem found while loading a split. <paramref name="File"/> is the image, label file or annotations file
/// at fault; <paramref name="Line"/> the 1-based row (label files) or annotation id (COCO json), when there is one;
/// <paramref name="ImageSkipped"/> tells whether the whole image left the set or only the row was dropped.
/// </summary>
public sealed record DatasetIssue(string File, long? Line, DatasetIssueKind Kind, string Reason, bool ImageSkipped)
{
    public override string ToString() =>
        $"{File}{(Line is { } line ? $":{line}" : "")}: {Reason} ({(ImageSkipped ? "image skipped" : "row dropped")})";
}
