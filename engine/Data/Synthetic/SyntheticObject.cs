using System.Globalization;

namespace PruneCluster.Engine.Data.Synthetic;

/// <summary>
/// One labelled object of a <see cref="SyntheticScene"/>: its class and shape kind, its solid colour (every visible pixel has exactly
/// this BGR value) and the tight box of its visible pixels, [X1, X2) × [Y1, Y2) in pixels — the label.
/// </summary>
public sealed record SyntheticObject(int ClassId, ShapeKind Kind, byte B, byte G, byte R, int X1, int Y1, int X2, int Y2, int VisiblePixels, int Pixels)
{
    /// <summary>Share of the whole shape that is visible (neither covered nor outside the image).</summary>
    public double VisibleFraction => (double)VisiblePixels / Pixels;

    /// <summary>The YOLO label row <c>class xc yc w h</c>, normalised by the image size, six decimals.</summary>
    public string LabelLine(int imageSize)
    {
        double Norm(double v) => v / imageSize;
        return string.Create(CultureInfo.InvariantCulture,
            $"{ClassId} {Norm((X1 + X2) / 2.0):F6} {Norm((Y1 + Y2) / 2.0):F6} {Norm(X2 - X1):F6} {Norm(Y2 - Y1):F6}");
    }
}
