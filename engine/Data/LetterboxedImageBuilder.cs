using OpenCvSharp;

namespace PruneCluster.Engine.Data;

/// <summary>
/// Decodes and preprocesses an image list exactly like YOLOv7's evaluation loader: verify (decodable, at least
/// 10 px a side), load_image resize, sort by aspect ratio, rect batch shapes, letterbox (scaleup=False), BGR→RGB and
/// HWC→CHW. The /255 float conversion is left to tensor creation so the store stays uint8 (4x smaller).
/// </summary>
internal static class LetterboxedImageBuilder
{
    public static LetterboxedImageStore Build(string key, IReadOnlyList<string> paths, int imgSize, int batchSize, int stride, double pad)
    {
        var resized = new Mat?[paths.Count];
        var stored = new StoredImage[paths.Count];
        try
        {
            Parallel.For(0, paths.Count, Parallelism(), i => (stored[i], resized[i]) = DecodeAndResize(paths[i], imgSize));

            var decoded = Enumerable.Range(0, paths.Count).Where(i => stored[i].Decoded).ToArray();
            var rectOrder = RectBatchShapes.SortOrder(decoded.Select(i => (stored[i].OriginalHeight, stored[i].OriginalWidth)).ToList())
                .Select(j => decoded[j]).ToArray();
            var ratios = rectOrder.Select(i => RectBatchShapes.AspectRatio((stored[i].OriginalHeight, stored[i].OriginalWidth))).ToList();
            var shapes = RectBatchShapes.Compute(ratios, batchSize, imgSize, stride, pad);

            var batches = shapes.Select((shape, b) =>
            {
                var members = rectOrder.Skip(b * batchSize).Take(batchSize).ToArray();
                return new LetterboxedBatch(shape.Height, shape.Width, members, new byte[members.Length * 3 * shape.Height * shape.Width]);
            }).ToArray();

            Parallel.For(0, rectOrder.Length, Parallelism(), position =>
            {
                var (b, slot) = (position / batchSize, position % batchSize);
                var index = rectOrder[position];
                var batch = batches[b];
                var plan = Letterbox.Plan(resized[index]!.Rows, resized[index]!.Cols, batch.Height, batch.Width, scaleUp: false);
                using (var padded = Letterbox.Apply(resized[index]!, plan))
                    RgbPlanes.Copy(padded, batch.Pixels.AsSpan(slot * batch.ImageBytes, batch.ImageBytes));
                stored[index] = stored[index] with { Letterbox = plan, Batch = b, Slot = slot };
            });
            return new LetterboxedImageStore(key, stored, batches);
        }
        finally
        {
            foreach (var mat in resized)
                mat?.Dispose();
        }
    }

    private static (StoredImage, Mat?) DecodeAndResize(string path, int imgSize)
    {
        if (!File.Exists(path))
            return (StoredImage.Failed(DatasetIssueKind.MissingImage, "image file does not exist"), null);
        using var original = YoloImageLoader.Decode(path);
        if (original is null)
            return (StoredImage.Failed(DatasetIssueKind.CorruptImage, "OpenCV cannot decode the image"), null);
        if (original.Rows < YoloImageLoader.MinimumSide || original.Cols < YoloImageLoader.MinimumSide)
            return (StoredImage.Failed(DatasetIssueKind.CorruptImage,
                $"image size {original.Cols}x{original.Rows} is below {YoloImageLoader.MinimumSide} pixels"), null);
        var resized = YoloImageLoader.Resize(original, imgSize);
        return (new StoredImage(original.Rows, original.Cols, resized.Rows, resized.Cols, null, -1, -1), resized);
    }

    private static ParallelOptions Parallelism() => new() { MaxDegreeOfParallelism = Environment.ProcessorCount };
}
