namespace PruneCluster.Engine.Training.Data;

/// <summary>
/// Which random branches a sample took, for tests and statistics: <see cref="MosaicTiles"/> is 4 or 9 for a mosaic
/// and 0 for a letterboxed single image; <see cref="MixUpRatio"/> is the weight r of the sample's own mosaic when it
/// was mixed with a second one (image = r·own + (1 - r)·other).
/// </summary>
public sealed record AugmentationTrace(int MosaicTiles, double? MixUpRatio, bool FlippedUpDown, bool FlippedLeftRight)
{
    public static readonly AugmentationTrace None = new(0, null, false, false);
}
