namespace PruneCluster.Engine.Data;

/// <summary>
/// One rect batch in decoded form: its input shape, which images it holds (indices into the store's image list, in
/// rect order) and their letterboxed pixels as uint8 RGB, CHW per image, images back to back.
/// </summary>
internal sealed record LetterboxedBatch(int Height, int Width, int[] ImageIndices, byte[] Pixels)
{
    public int ImageBytes => 3 * Height * Width;
}
