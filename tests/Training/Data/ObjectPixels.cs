using PruneCluster.Engine.Data;
using PruneCluster.Engine.Training.Data;

namespace PruneCluster.Tests.Training.Data;

/// <summary>
/// Checks that labels sit on the objects of a <see cref="SyntheticBoxes"/> image after augmentation: inside each label
/// (its core, 1.5 px in from the edges, where interpolation does not blend) most pixels have the class colour; the
/// colour's bounding region around the label matches the label's edges; and every object (a connected region of a
/// colour) lies inside a label of its class, unless it was cut at the image border or the canvas edge and dropped
/// whole by box_candidates.
/// </summary>
internal sealed class ObjectPixels
{
    // Largest per-channel difference for a pixel to count as an object colour; edge pixels blended with black fail it.
    private const double ColourTolerance = 48;

    // Labels smaller than this (pixels) are too small to measure after interpolation.
    private const double MeasurableSide = 6;

    private readonly double[][] _planes; // R, G, B
    private readonly int _height;
    private readonly int _width;

    public ObjectPixels(double[][] rgbPlanes, int height, int width)
    {
        _planes = rgbPlanes;
        _height = height;
        _width = width;
    }

    public static ObjectPixels Of(TrainingSample sample)
    {
        var pixels = sample.Height * sample.Width;
        var planes = Enumerable.Range(0, 3).Select(c => sample.Rgb.Skip(c * pixels).Take(pixels).Select(b => (double)b).ToArray()).ToArray();
        return new ObjectPixels(planes, sample.Height, sample.Width);
    }

    public bool IsColour(int x, int y, int cls)
    {
        var bgr = SyntheticBoxes.Palette[cls];
        var p = y * _width + x;
        return Math.Abs(_planes[0][p] - bgr.Val2) <= ColourTolerance
            && Math.Abs(_planes[1][p] - bgr.Val1) <= ColourTolerance
            && Math.Abs(_planes[2][p] - bgr.Val0) <= ColourTolerance;
    }

    /// <summary>Asserts the three properties above; <paramref name="minFill"/> is lower for rotated or sheared boxes.</summary>
    public void AssertLabelsOnObjects(IReadOnlyList<NormalizedLabel> labels, double minFill, double edgeTolerance, string what)
    {
        Assert.NotEmpty(labels);
        foreach (var label in labels)
        {
            var (x1, y1, x2, y2) = Corners(label);
            if (x2 - x1 < MeasurableSide || y2 - y1 < MeasurableSide)
                continue;
            // A rotated box cut by the image border keeps the hull of its unclipped corners (YOLOv7 clips the box,
            // not the polygon): there the colour fills less of the label and need only lie within it.
            var atBorder = x1 <= 0.5 || y1 <= 0.5 || x2 >= _width - 0.5 || y2 >= _height - 0.5;
            var fill = Fraction(label.Class, (int)Math.Ceiling(x1 + 1.5), (int)Math.Ceiling(y1 + 1.5), (int)Math.Floor(x2 - 1.5), (int)Math.Floor(y2 - 1.5));
            var need = atBorder ? minFill / 2 : minFill;
            Assert.True(fill >= need, $"{what}: label {label} holds only {fill:P0} of its colour (need {need:P0})");

            var margin = (int)Math.Ceiling(edgeTolerance) + 3;
            var region = ColourRegion(label.Class, (int)Math.Floor(x1) - margin, (int)Math.Floor(y1) - margin,
                (int)Math.Ceiling(x2) + margin, (int)Math.Ceiling(y2) + margin);
            Assert.True(region is { } r && (atBorder
                    ? r.X1 >= x1 - edgeTolerance && r.Y1 >= y1 - edgeTolerance && r.X2 <= x2 + edgeTolerance && r.Y2 <= y2 + edgeTolerance
                    : Math.Abs(r.X1 - x1) <= edgeTolerance && Math.Abs(r.Y1 - y1) <= edgeTolerance
                      && Math.Abs(r.X2 - x2) <= edgeTolerance && Math.Abs(r.Y2 - y2) <= edgeTolerance),
                $"{what}: label {label} = ({x1:F1}, {y1:F1}, {x2:F1}, {y2:F1}) px but its colour spans {region}");
        }

        foreach (var (cls, component) in Components())
        {
            var outside = component.Count(p => !labels.Any(l => l.Class == cls && Inside(l, p.X + 0.5, p.Y + 0.5, edgeTolerance)));
            if (outside <= 0.1 * component.Count + 4)
                continue;
            // box_candidates drops boxes cut to under 10 % of their area or 2 px; their remains may stay visible, but
            // only where the object was cut: at the image border or at the grey (114) beyond the mosaic canvas.
            var (minX, minY) = (component.Min(p => p.X), component.Min(p => p.Y));
            var (maxX, maxY) = (component.Max(p => p.X), component.Max(p => p.Y));
            var cut = minX == 0 || minY == 0 || maxX == _width - 1 || maxY == _height - 1 || component.Any(p => NearGrey(p.X, p.Y));
            Assert.True(cut && outside == component.Count,
                $"{what}: {outside} of {component.Count} pixels of a class-{cls} object at ({minX}, {minY})-({maxX}, {maxY}) lie outside every label of their class");
        }
    }

    public (double X1, double Y1, double X2, double Y2) Corners(NormalizedLabel l) => (
        (l.CenterX - l.Width / 2) * _width, (l.CenterY - l.Height / 2) * _height,
        (l.CenterX + l.Width / 2) * _width, (l.CenterY + l.Height / 2) * _height);

    private bool Inside(NormalizedLabel l, double x, double y, double tolerance)
    {
        var (x1, y1, x2, y2) = Corners(l);
        return x >= x1 - tolerance && x <= x2 + tolerance && y >= y1 - tolerance && y <= y2 + tolerance;
    }

    private double Fraction(int cls, int x1, int y1, int x2, int y2)
    {
        var (total, hits) = (0, 0);
        for (var y = Math.Max(y1, 0); y < Math.Min(y2, _height); y++)
        for (var x = Math.Max(x1, 0); x < Math.Min(x2, _width); x++)
        {
            total++;
            if (IsColour(x, y, cls))
                hits++;
        }
        return total == 0 ? 1 : (double)hits / total;
    }

    /// <summary>4-connected regions of each object colour.</summary>
    private IEnumerable<(int Class, List<(int X, int Y)> Pixels)> Components()
    {
        var seen = new bool[_height * _width];
        for (var cls = 0; cls < SyntheticBoxes.Palette.Length; cls++)
        {
            Array.Clear(seen);
            for (var y0 = 0; y0 < _height; y0++)
            for (var x0 = 0; x0 < _width; x0++)
            {
                if (seen[y0 * _width + x0] || !IsColour(x0, y0, cls))
                    continue;
                var pixels = new List<(int X, int Y)>();
                var queue = new Queue<(int X, int Y)>([(x0, y0)]);
                seen[y0 * _width + x0] = true;
                while (queue.TryDequeue(out var p))
                {
                    pixels.Add(p);
                    foreach (var (x, y) in new[] { (p.X - 1, p.Y), (p.X + 1, p.Y), (p.X, p.Y - 1), (p.X, p.Y + 1) })
                    {
                        if (x < 0 || y < 0 || x >= _width || y >= _height || seen[y * _width + x] || !IsColour(x, y, cls))
                            continue;
                        seen[y * _width + x] = true;
                        queue.Enqueue((x, y));
                    }
                }
                yield return (cls, pixels);
            }
        }
    }

    private bool NearGrey(int x0, int y0)
    {
        for (var y = Math.Max(y0 - 2, 0); y <= Math.Min(y0 + 2, _height - 1); y++)
        for (var x = Math.Max(x0 - 2, 0); x <= Math.Min(x0 + 2, _width - 1); x++)
        {
            var p = y * _width + x;
            if (_planes.All(plane => Math.Abs(plane[p] - 114) <= 20))
                return true;
        }
        return false;
    }

    /// <summary>Bounding box (pixel edges) of the class colour within a window, or null when the colour is absent.</summary>
    private (int X1, int Y1, int X2, int Y2)? ColourRegion(int cls, int x1, int y1, int x2, int y2)
    {
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (var y = Math.Max(y1, 0); y < Math.Min(y2, _height); y++)
        for (var x = Math.Max(x1, 0); x < Math.Min(x2, _width); x++)
        {
            if (!IsColour(x, y, cls))
                continue;
            (minX, minY, maxX, maxY) = (Math.Min(minX, x), Math.Min(minY, y), Math.Max(maxX, x), Math.Max(maxY, y));
        }
        return maxX < 0 ? null : (minX, minY, maxX + 1, maxY + 1);
    }
}
