using OpenCvSharp;

namespace PruneCluster.Engine.Data;

/// <summary>
/// YOLOv7's load_image: cv2.imread (BGR, EXIF orientation applied), then scale so the long side equals imgSize —
/// untouched when already that size; otherwise INTER_LINEAR, except that evaluation (augment=False) shrinks with
/// INTER_AREA.
/// </summary>
public static class YoloImageLoader
{
    /// <summary>YOLOv7's verify step: assert (shape[0] > 9) &amp; (shape[1] > 9).</summary>
    public const int MinimumSide = 10;

    /// <summary>The resized (height, width): Python's int(h0 * r), int(w0 * r) with r = imgSize / max(h0, w0).</summary>
    public static (int Height, int Width) ResizedSize(int originalHeight, int originalWidth, int imgSize)
    {
        var r = (double)imgSize / Math.Max(originalHeight, originalWidth);
        return r == 1 ? (originalHeight, originalWidth) : ((int)(originalHeight * r), (int)(originalWidth * r));
    }

    /// <summary>The interpolation load_image uses, or null when it does not resize.</summary>
    public static InterpolationFlags? Interpolation(int originalHeight, int originalWidth, int imgSize, bool augment = false)
    {
        var r = (double)imgSize / Math.Max(originalHeight, originalWidth);
        return r == 1 ? null : r < 1 && !augment ? InterpolationFlags.Area : InterpolationFlags.Linear;
    }

    /// <summary>Decodes an image as BGR (null when OpenCV cannot decode it).</summary>
    public static Mat? Decode(string path)
    {
        var image = Cv2.ImRead(path, ImreadModes.Color);
        if (!image.Empty())
            return image;
        image.Dispose();
        return null;
    }

    /// <summary>
    /// load_image on an already decoded BGR image: returns a new Mat (a clone when no resize is needed).
    /// <paramref name="augment"/> is the dataset's augment flag (true for the training loader).
    /// </summary>
    public static Mat Resize(Mat original, int imgSize, bool augment = false)
    {
        var (h0, w0) = (original.Rows, original.Cols);
        if (Interpolation(h0, w0, imgSize, augment) is not { } interpolation)
            return original.Clone();
        var (h, w) = ResizedSize(h0, w0, imgSize);
        var resized = new Mat();
        Cv2.Resize(original, resized, new Size(w, h), 0, 0, interpolation);
        return resized;
    }
}
