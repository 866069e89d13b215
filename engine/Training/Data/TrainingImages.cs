using OpenCvSharp;
using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Training.Data;

/// <summary>
/// Decodes and resizes training images (load_image with augment=True: INTER_LINEAR both ways) and, when asked
/// (YOLOv7's --cache), keeps each resized image in memory after its first use. Safe to call from several threads.
/// </summary>
internal sealed class TrainingImages(IReadOnlyList<string> paths, int imgSize, bool augment, bool cache) : IDisposable
{
    private readonly Mat?[]? _cached = cache ? new Mat?[paths.Count] : null;
    private readonly (int Height, int Width)[] _originalSizes = new (int, int)[paths.Count];

    public ResizedImage Load(int index)
    {
        if (_cached is not null && Volatile.Read(ref _cached[index]) is { } hit)
            return new ResizedImage(hit, _originalSizes[index].Height, _originalSizes[index].Width, Owned: false);
        var path = paths[index];
        using var original = YoloImageLoader.Decode(path) ?? throw Unreadable(path);
        if (original.Rows < YoloImageLoader.MinimumSide || original.Cols < YoloImageLoader.MinimumSide)
            throw new DatasetException(
                $"{path}: image size {original.Cols}x{original.Rows} is below {YoloImageLoader.MinimumSide} pixels; remove it from the training set");
        var resized = YoloImageLoader.Resize(original, imgSize, augment);
        if (_cached is null)
            return new ResizedImage(resized, original.Rows, original.Cols, Owned: true);
        _originalSizes[index] = (original.Rows, original.Cols);
        // Two threads may decode the same image at once; the first one stored wins, the other copy is dropped.
        if (Interlocked.CompareExchange(ref _cached[index], resized, null) is { } earlier)
        {
            resized.Dispose();
            resized = earlier;
        }
        return new ResizedImage(resized, original.Rows, original.Cols, Owned: false);
    }

    public void Dispose()
    {
        if (_cached is null)
            return;
        for (var i = 0; i < _cached.Length; i++)
            Interlocked.Exchange(ref _cached[i], null)?.Dispose();
    }

    private static DatasetException Unreadable(string path) => File.Exists(path)
        ? new DatasetException($"{path}: OpenCV cannot decode the image; replace the file or remove it from the training set")
        : new DatasetException($"{path}: image file does not exist (it was listed when the set was loaded); restore it or reload the set");
}
