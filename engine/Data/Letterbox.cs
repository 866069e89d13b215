using OpenCvSharp;

namespace PruneCluster.Engine.Data;

/// <summary>YOLOv7's letterbox with auto=False, scaleFill=False (the evaluation call), colour 114.</summary>
public static class Letterbox
{
    public const byte PadValue = 114;

    /// <summary>
    /// The exact arithmetic: r = min(newH/h, newW/w), capped at 1 unless <paramref name="scaleUp"/>; scaled size
    /// int(round(w*r)) with Python's round-half-even; half paddings dw, dh; top = int(round(dh - 0.1)),
    /// bottom = int(round(dh + 0.1)) (same for left/right), so an odd padding puts the extra pixel at the bottom/right.
    /// </summary>
    public static LetterboxGeometry Plan(int height, int width, int newHeight, int newWidth, bool scaleUp)
    {
        var r = Math.Min((double)newHeight / height, (double)newWidth / width);
        if (!scaleUp)
            r = Math.Min(r, 1.0);
        var scaledWidth = (int)Math.Round(width * r, MidpointRounding.ToEven);
        var scaledHeight = (int)Math.Round(height * r, MidpointRounding.ToEven);
        var dw = (newWidth - scaledWidth) / 2.0;
        var dh = (newHeight - scaledHeight) / 2.0;
        return new LetterboxGeometry(r, scaledHeight, scaledWidth, dw, dh,
            Top: RoundHalfEven(dh - 0.1), Bottom: RoundHalfEven(dh + 0.1),
            Left: RoundHalfEven(dw - 0.1), Right: RoundHalfEven(dw + 0.1));
    }

    /// <summary>Applies a plan to a BGR image: INTER_LINEAR resize when the size changes, then a constant 114 border.</summary>
    public static Mat Apply(Mat image, LetterboxGeometry plan)
    {
        using var scaled = image.Rows != plan.ScaledHeight || image.Cols != plan.ScaledWidth ? new Mat() : null;
        if (scaled is not null)
            Cv2.Resize(image, scaled, new Size(plan.ScaledWidth, plan.ScaledHeight), 0, 0, InterpolationFlags.Linear);
        var padded = new Mat();
        Cv2.CopyMakeBorder(scaled ?? image, padded, plan.Top, plan.Bottom, plan.Left, plan.Right,
            BorderTypes.Constant, new Scalar(PadValue, PadValue, PadValue));
        return padded;
    }

    private static int RoundHalfEven(double value) => (int)Math.Round(value, MidpointRounding.ToEven);
}
