using System.Runtime.InteropServices;
using OpenCvSharp;

namespace PruneCluster.Engine.Data.Synthetic;

/// <summary>
/// One object rasterised on its own: a 0/1 mask over the pixel rectangle [Left, Left+Width) × [Top, Top+Height) of
/// the image plane (it may reach past the image's edges). Shapes are polygons filled by OpenCV with 1/16-pixel vertex
/// precision and no anti-aliasing, so every pixel belongs wholly to one object or to the background.
/// </summary>
internal sealed class ShapeMask
{
    private const int Shift = 4;
    private const double Subpixel = 1 << Shift;

    private ShapeMask(int left, int top, int width, int height, byte[] pixels)
    {
        Left = left;
        Top = top;
        Width = width;
        Height = height;
        Pixels = pixels;
        Area = pixels.Count(p => p != 0);
    }

    public int Left { get; }
    public int Top { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>Row-major, 1 = inside the shape.</summary>
    public byte[] Pixels { get; }

    /// <summary>Pixels inside the shape, including any outside the image.</summary>
    public int Area { get; }

    /// <summary>
    /// Draws <paramref name="kind"/> centred at (cx, cy) with circumscribed diameter <paramref name="size"/>, its
    /// x axis stretched by <paramref name="aspect"/> (y by 1/aspect) and then rotated by <paramref name="angle"/>
    /// radians. Kind-specific proportions (ring width, star depth, …) are drawn from <paramref name="random"/>.
    /// </summary>
    public static ShapeMask Draw(ShapeKind kind, double cx, double cy, double size, double aspect, double angle, SyntheticRandom random)
    {
        var (filled, cleared) = Outline(kind, random);
        var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
        var radius = size / 2;
        Point2d Place(Point2d p)
        {
            var (x, y) = (p.X * aspect * radius, p.Y / aspect * radius);
            return new Point2d(cx + x * cos - y * sin, cy + x * sin + y * cos);
        }
        var outer = filled.Select(Place).ToList();
        var left = (int)Math.Floor(outer.Min(p => p.X)) - 1;
        var top = (int)Math.Floor(outer.Min(p => p.Y)) - 1;
        var width = (int)Math.Ceiling(outer.Max(p => p.X)) + 2 - left;
        var height = (int)Math.Ceiling(outer.Max(p => p.Y)) + 2 - top;

        IEnumerable<Point> ToLocal(IEnumerable<Point2d> points) =>
            points.Select(p => new Point((int)Math.Round((p.X - left) * Subpixel), (int)Math.Round((p.Y - top) * Subpixel)));
        using var mask = new Mat(height, width, MatType.CV_8UC1, Scalar.All(0));
        Cv2.FillPoly(mask, [ToLocal(outer)], Scalar.All(1), LineTypes.Link8, Shift);
        if (cleared != null)
            Cv2.FillPoly(mask, [ToLocal(cleared.Select(Place))], Scalar.All(0), LineTypes.Link8, Shift);
        var pixels = new byte[width * height];
        Marshal.Copy(mask.Data, pixels, 0, pixels.Length);
        return new ShapeMask(left, top, width, height, pixels);
    }

    /// <summary>The shape in unit coordinates (circumscribed radius 1): the polygon to fill and an optional hole.</summary>
    private static (Point2d[] Filled, Point2d[]? Cleared) Outline(ShapeKind kind, SyntheticRandom random) => kind switch
    {
        ShapeKind.Circle => (Regular(48, 1, 0), null),
        ShapeKind.Square => (Regular(4, 1, Math.PI / 4), null),
        ShapeKind.Triangle => (Regular(3, 1, -Math.PI / 2), null),
        ShapeKind.Cross => (Cross(random.Uniform(0.22, 0.34)), null),
        ShapeKind.Ring => (Regular(48, 1, 0), Regular(48, random.Uniform(0.5, 0.68), 0)),
        ShapeKind.Star => (Star(5, random.Uniform(0.38, 0.5)), null),
        ShapeKind.Crescent => (Regular(48, 1, 0), Shifted(Regular(48, random.Uniform(0.78, 0.9), 0), random.Uniform(0.4, 0.6))),
        ShapeKind.Hexagon => (Regular(6, 1, 0), null),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown shape kind"),
    };

    private static Point2d[] Regular(int corners, double radius, double start) =>
        Enumerable.Range(0, corners)
            .Select(i => start + 2 * Math.PI * i / corners)
            .Select(a => new Point2d(radius * Math.Cos(a), radius * Math.Sin(a)))
            .ToArray();

    private static Point2d[] Star(int points, double inner) =>
        Enumerable.Range(0, 2 * points)
            .Select(i => (Angle: -Math.PI / 2 + Math.PI * i / points, Radius: i % 2 == 0 ? 1 : inner))
            .Select(v => new Point2d(v.Radius * Math.Cos(v.Angle), v.Radius * Math.Sin(v.Angle)))
            .ToArray();

    /// <summary>A plus sign whose arms reach radius 1 and are 2·<paramref name="halfWidth"/> wide.</summary>
    private static Point2d[] Cross(double halfWidth)
    {
        var (t, r) = (halfWidth, Math.Sqrt(1 - halfWidth * halfWidth));
        return
        [
            new(t, r), new(t, t), new(r, t), new(r, -t), new(t, -t), new(t, -r),
            new(-t, -r), new(-t, -t), new(-r, -t), new(-r, t), new(-t, t), new(-t, r),
        ];
    }

    private static Point2d[] Shifted(Point2d[] points, double dx) => points.Select(p => new Point2d(p.X + dx, p.Y)).ToArray();
}
