namespace PruneCluster.Engine.Data;

/// <summary>
/// One problem found while loading a split. <paramref name="Image"/> is the image concerned; <paramref name="File"/>
/// the file at fault (the image itself, its label file, or the COCO annotations json); <paramref name="Line"/> the
/// 1-based row (label files) or the annotation id (COCO json), when there is one; <paramref name="ImageSkipped"/>
/// tells whether the whole image left the set or only the row was dropped.
/// </summary>
public sealed record DatasetIssue(string Image, string File, long? Line, DatasetIssueKind Kind, string Reason, bool ImageSkipped)
{
    public override string ToString() =>
        $"{File}{(Line is { } line ? $":{line}" : "")}: {Reason} ({(ImageSkipped ? "image skipped" : "row dropped")})";
}
