using System.Runtime.InteropServices;
using OpenCvSharp;

namespace PruneCluster.Engine.Data.Synthetic;

/// <summary>
/// Paints the textured background of a synthetic image (BGR, row-major): a two-colour gradient, often value noise
/// (smooth random blotches) and stripes, then clutter — lines, thin bars and arcs that belong to no class, so the
/// detector must learn shapes rather than "anything that is not background".
/// </summary>
internal static class SyntheticBackground
{
    public static byte[] Paint(int size, SyntheticRandom random)
    {
        var layers = new float[size * size * 3];
        Gradient(layers, size, random);
        if (random.Chance(0.75))
            ValueNoise(layers, size, random);
        if (random.Chance(0.4))
            Stripes(layers, size, random);
        var bgr = new byte[layers.Length];
        for (var i = 0; i < layers.Length; i++)
            bgr[i] = (byte)Math.Clamp(MathF.Round(layers[i]), 0, 255);
        Clutter(bgr, size, random);
        return bgr;
    }

    /// <summary>A random colour, channels in [min, max).</summary>
    public static (double B, double G, double R) Colour(SyntheticRandom random, double min = 0, double max = 256) =>
        (random.Uniform(min, max), random.Uniform(min, max), random.Uniform(min, max));

    private static void Gradient(float[] layers, int size, SyntheticRandom random)
    {
        var from = Colour(random);
        var to = Colour(random);
        var angle = random.Uniform(0, 2 * Math.PI);
        var (dx, dy) = (Math.Cos(angle), Math.Sin(angle));
        // Projection onto the gradient direction, normalised to [0, 1] over the image's corners.
        var low = Math.Min(0, dx * size) + Math.Min(0, dy * size);
        var span = Math.Abs(dx * size) + Math.Abs(dy * size);
        var (b0, g0, r0) = ((float)from.B, (float)from.G, (float)from.R);
        var (db, dg, dr) = ((float)(to.B - from.B), (float)(to.G - from.G), (float)(to.R - from.R));
        for (var y = 0; y < size; y++)
        for (var x = 0; x < size; x++)
        {
            var t = (float)((x * dx + y * dy - low) / span);
            var at = (y * size + x) * 3;
            layers[at] = b0 + db * t;
            layers[at + 1] = g0 + dg * t;
            layers[at + 2] = r0 + dr * t;
        }
    }

    /// <summary>Random values on a coarse grid, bilinearly interpolated: grey or coloured blotches of one scale.</summary>
    private static void ValueNoise(float[] layers, int size, SyntheticRandom random)
    {
        var cell = random.Uniform(4, size / 6.0);
        var amplitude = random.Uniform(10, 60);
        var coloured = random.Chance(0.5);
        var cells = (int)(size / cell) + 2;
        var grid = new float[cells * cells * 3];
        for (var i = 0; i < grid.Length; i += 3)
        {
            grid[i] = (float)(random.Uniform(-1, 1) * amplitude);
            grid[i + 1] = coloured ? (float)(random.Uniform(-1, 1) * amplitude) : grid[i];
            grid[i + 2] = coloured ? (float)(random.Uniform(-1, 1) * amplitude) : grid[i];
        }
        // The grid column and weight of every x, computed once instead of per row.
        var column = new int[size];
        var weight = new float[size];
        for (var x = 0; x < size; x++)
        {
            var gx = x / cell;
            (column[x], weight[x]) = ((int)gx, (float)(gx - (int)gx));
        }
        for (var y = 0; y < size; y++)
        {
            var gy = y / cell;
            var fy = (float)(gy - (int)gy);
            var upper = (int)gy * cells * 3;
            var lower = upper + cells * 3;
            for (var x = 0; x < size; x++)
            {
                var (g, fx) = (column[x] * 3, weight[x]);
                var at = (y * size + x) * 3;
                for (var c = 0; c < 3; c++)
                {
                    var top = grid[upper + g + c] + (grid[upper + g + 3 + c] - grid[upper + g + c]) * fx;
                    var bottom = grid[lower + g + c] + (grid[lower + g + 3 + c] - grid[lower + g + c]) * fx;
                    layers[at + c] += top + (bottom - top) * fy;
                }
            }
        }
    }

    /// <summary>Parallel stripes (a triangle wave, so no platform-dependent sine per pixel) in a random colour direction.</summary>
    private static void Stripes(float[] layers, int size, SyntheticRandom random)
    {
        var period = random.Uniform(6, 48);
        var angle = random.Uniform(0, Math.PI);
        var (dx, dy) = (Math.Cos(angle) / period, Math.Sin(angle) / period);
        var amplitude = random.Uniform(15, 60);
        var (b, g, r) = Colour(random, -1, 1);
        var direction = ((float)b, (float)g, (float)r);
        var phase = random.NextDouble();
        for (var y = 0; y < size; y++)
        for (var x = 0; x < size; x++)
        {
            var u = x * dx + y * dy + phase;
            var wave = (float)((Math.Abs(2 * (u - Math.Floor(u)) - 1) * 2 - 1) * amplitude);
            var at = (y * size + x) * 3;
            layers[at] += wave * direction.Item1;
            layers[at + 1] += wave * direction.Item2;
            layers[at + 2] += wave * direction.Item3;
        }
    }

    private static void Clutter(byte[] bgr, int size, SyntheticRandom random)
    {
        var count = random.Between(0, 6);
        if (count == 0)
            return;
        using var image = new Mat(size, size, MatType.CV_8UC3);
        Marshal.Copy(bgr, 0, image.Data, bgr.Length);
        for (var i = 0; i < count; i++)
        {
            var (b, g, r) = Colour(random);
            var colour = new Scalar(Math.Floor(b), Math.Floor(g), Math.Floor(r));
            var at = new Point(random.Next(size), random.Next(size));
            var length = random.Uniform(0.1, 0.6) * size;
            var angle = random.Uniform(0, Math.PI);
            var end = new Point(at.X + (int)(length * Math.Cos(angle)), at.Y + (int)(length * Math.Sin(angle)));
            switch (random.Next(3))
            {
                case 0: // a line or thin bar, far longer than wide (no class is); thin, so a cut-off end is no blob
                    Cv2.Line(image, at, end, colour, random.Between(1, Math.Max(2, (int)Math.Min(length / 8, size / 40.0))), LineTypes.Link8);
                    break;
                case 1: // an open polyline
                    var points = new List<Point> { at, end };
                    for (var k = random.Between(1, 3); k > 0; k--)
                        points.Add(new Point(points[^1].X + random.Between(-size / 5, size / 5), points[^1].Y + random.Between(-size / 5, size / 5)));
                    Cv2.Polylines(image, [points], isClosed: false, colour, random.Between(1, 3), LineTypes.Link8);
                    break;
                default: // an arc: at most 200 degrees of an ellipse outline, thin
                    var axes = new Size(random.Between(6, Math.Max(7, size / 5)), random.Between(6, Math.Max(7, size / 5)));
                    var start = random.Uniform(0, 360);
                    Cv2.Ellipse(image, at, axes, random.Uniform(0, 180), start, start + random.Uniform(60, 200), colour, random.Between(1, 3), LineTypes.Link8);
                    break;
            }
        }
        Marshal.Copy(image.Data, bgr, 0, bgr.Length);
    }
}
