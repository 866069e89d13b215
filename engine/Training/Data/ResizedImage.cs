using OpenCvSharp;

namespace PruneCluster.Engine.Training.Data;

/// <summary>
/// load_image's result: the BGR image with its long side at the training size. <see cref="Owned"/> is false when the
/// Mat belongs to the image cache (then it must be neither modified nor disposed).
/// </summary>
internal readonly record struct ResizedImage(Mat Image, int OriginalHeight, int OriginalWidth, bool Owned) : IDisposable
{
    public int Height => Image.Rows;

    public int Width => Image.Cols;

    public void Dispose()
    {
        if (Owned)
            Image.Dispose();
    }
}
