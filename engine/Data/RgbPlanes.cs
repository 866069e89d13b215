using OpenCvSharp;

namespace PruneCluster.Engine.Data;

/// <summary>YOLOv7's img[:, :, ::-1].transpose(2, 0, 1): a continuous interleaved BGR uint8 image to planar R, G, B.</summary>
internal static class RgbPlanes
{
    public static void Copy(Mat bgr, Span<byte> destination)
    {
        var pixels = bgr.Rows * bgr.Cols;
        ReadOnlySpan<byte> source = bgr.AsSpan<byte>();
        var red = destination[..pixels];
        var green = destination.Slice(pixels, pixels);
        var blue = destination.Slice(2 * pixels, pixels);
        for (var p = 0; p < pixels; p++)
        {
            blue[p] = source[3 * p];
            green[p] = source[3 * p + 1];
            red[p] = source[3 * p + 2];
        }
    }
}
