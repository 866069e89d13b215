namespace PruneCluster.Engine.Data;

/// <summary>The rows a label source holds for one image, and the file (or annotations file) they came from.</summary>
internal sealed record LabelRead(string File, LabelFileState State, IReadOnlyList<LabelRow> Rows, string? UnreadableReason = null)
{
    public static LabelRead Missing(string file) => new(file, LabelFileState.Missing, []);
}
