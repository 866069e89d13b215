using OpenCvSharp;

namespace PruneCluster.Engine.Training.Data;

/// <summary>
/// YOLOv7's augment_hsv, in place on a BGR image: gains r = 1 + U(-1, 1)·(hgain, sgain, vgain); the image goes to
/// OpenCV's 8-bit HSV (hue 0..179), through lookup tables hue·r % 180, clip(sat·r, 0, 255), clip(val·r, 0, 255)
/// (each truncated to uint8 like numpy's astype), and back to BGR. The round trip runs even when every gain is 0.
/// </summary>
internal static class HsvAugmentation
{
    public static void Apply(Mat bgr, double hgain, double sgain, double vgain, SampleRandom rng)
    {
        var rh = rng.Uniform(-1, 1) * hgain + 1;
        var rs = rng.Uniform(-1, 1) * sgain + 1;
        var rv = rng.Uniform(-1, 1) * vgain + 1;
        var lutHue = new byte[256];
        var lutSat = new byte[256];
        var lutVal = new byte[256];
        for (var x = 0; x < 256; x++)
        {
            var hue = x * rh % 180;
            lutHue[x] = (byte)(hue < 0 ? hue + 180 : hue); // numpy's % takes the divisor's sign
            lutSat[x] = (byte)Math.Clamp(x * rs, 0, 255);
            lutVal[x] = (byte)Math.Clamp(x * rv, 0, 255);
        }
        using var hsv = new Mat();
        Cv2.CvtColor(bgr, hsv, ColorConversionCodes.BGR2HSV);
        var pixels = hsv.AsSpan<byte>();
        for (var p = 0; p < pixels.Length; p += 3)
        {
            pixels[p] = lutHue[pixels[p]];
            pixels[p + 1] = lutSat[pixels[p + 1]];
            pixels[p + 2] = lutVal[pixels[p + 2]];
        }
        Cv2.CvtColor(hsv, bgr, ColorConversionCodes.HSV2BGR);
    }
}
