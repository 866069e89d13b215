namespace PruneCluster.Engine.Data;

/// <summary>
/// One label row as read from its source, before the checks: either the five float32 values
/// class, x centre, y centre, width, height (polygons already turned into their bounding box), or why the row
/// could not even be turned into those.
/// </summary>
internal readonly record struct LabelRow(long Line, float[]? Values, DatasetIssueKind? Error, string? Reason)
{
    public static LabelRow Box(long line, float[] values) => new(line, values, null, null);

    public static LabelRow Bad(long line, DatasetIssueKind kind, string reason) => new(line, null, kind, reason);
}
