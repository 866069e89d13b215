namespace PruneCluster.Engine.Data;

/// <summary>
/// What decoding one image left: either its sizes (original h0, w0; after load_image h, w), letterbox plan and
/// place (batch, slot), or why it could not be decoded.
/// </summary>
internal sealed record StoredImage(
    int OriginalHeight, int OriginalWidth, int ResizedHeight, int ResizedWidth, LetterboxGeometry? Letterbox, int Batch, int Slot,
    DatasetIssueKind? FailureKind = null, string? FailureReason = null)
{
    public bool Decoded => FailureKind is null;

    public static StoredImage Failed(DatasetIssueKind kind, string reason) => new(0, 0, 0, 0, null, -1, -1, kind, reason);
}
