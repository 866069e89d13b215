using OpenCvSharp;

namespace PruneCluster.Engine.Data;

/// <summary>
/// YOLOv7's load_image for evaluation (augment=False): cv2.imread (BGR, EXIF orientation applied), then scale so the
/// long side equals imgSize — INTER_AREA when shrinking, INTER_LINEAR when enlarging, untouched when already that size.
/// </summary>
public static class YoloImageLoader
{
    /// <summary>The resized (height, width): Python's int(h0 * r), int(w0 * r) with r = imgSize / max(h0, w0).</summary>
    public static (int Height, int Width) ResizedSize(int originalHeight, int originalWidth, int imgSize)
    {
        var r = (double)imgSize / Math.Max(originalHeight, originalWidth);
        return r == 1 ? (originalHeight, originalWidth) : ((int)(originalHeight * r), (int)(originalWidth * r));
    }

    /// <summary>The interpolation load_image uses, or null when it does not resize.</summary>
    public static InterpolationFlags? Interpolation(int originalHeight, int originalWidth, int imgSize)
    {
        var r = (double)imgSize / Math.Max(originalHeight, originalWidth);
        return r == 1 ? null : r < 1 ? InterpolationFlags.Area : InterpolationFlags.Linear;
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

    /// <summary>load_image on an already decoded BGR image: returns a new Mat (a clone when no resize is needed).</summary>
    public static Mat Resize(Mat original, int imgSize)
    {
        var (h0, w0) = (original.Rows, original.Cols);
        if (Interpolation(h0, w0, imgSize) is not { } interpolation)
            return original.Clone();
        var (h, w) = ResizedSize(h0, w0, imgSize);
        var resized = new Mat();
        Cv2.Resize(original, resized, new Size(w, h), 0, 0, interpolation);
        return resized;
    }
}
