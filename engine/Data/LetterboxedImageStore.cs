namespace PruneCluster.Engine.Data;

/// <summary>
/// The decoded, resized and letterboxed images of one image list at one (imgSize, batchSize, stride, pad): built
/// once and then only read, so several <see cref="ValidationSet"/>s (and threads) can share it.
/// <see cref="Images"/> follows the input (sorted path) order.
/// </summary>
internal sealed record LetterboxedImageStore(string Key, IReadOnlyList<StoredImage> Images, IReadOnlyList<LetterboxedBatch> Batches);
