using OpenCvSharp;
using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Training.Data;

/// <summary>
/// YOLOv7's random_perspective for box labels: M = T·S·R·P·C (centre, perspective, rotation+scale, shear,
/// translation), warpAffine (or warpPerspective when perspective is on) with INTER_LINEAR and grey 114 borders onto
/// an output of the input size plus 2·border, box corners mapped through M, their hull clipped to the output, and
/// boxes that became too small, too thin or lost too much area dropped (box_candidates).
/// </summary>
internal static class RandomPerspective
{
    /// <summary>
    /// Returns the warped image — a new Mat (the input is disposed) or the input itself when nothing changes — and
    /// replaces <paramref name="labels"/> (pixel corners) with the surviving transformed boxes.
    /// </summary>
    public static Mat Apply(Mat image, List<PixelLabel> labels, AugmentationOptions o, int border, SampleRandom rng)
    {
        var height = image.Rows + border * 2;
        var width = image.Cols + border * 2;

        var c = Identity();
        c[0, 2] = -image.Cols / 2.0;
        c[1, 2] = -image.Rows / 2.0;

        var p = Identity();
        p[2, 0] = rng.Uniform(-o.perspective, o.perspective);
        p[2, 1] = rng.Uniform(-o.perspective, o.perspective);

        // cv2.getRotationMatrix2D(angle=a, center=(0, 0), scale=s): counter-clockwise degrees.
        var a = rng.Uniform(-o.degrees, o.degrees) * Math.PI / 180;
        var scale = rng.Uniform(1 - o.scale, 1.1 + o.scale);
        var r = Identity();
        (r[0, 0], r[0, 1], r[1, 0], r[1, 1]) = (scale * Math.Cos(a), scale * Math.Sin(a), -scale * Math.Sin(a), scale * Math.Cos(a));

        var sh = Identity();
        sh[0, 1] = Math.Tan(rng.Uniform(-o.shear, o.shear) * Math.PI / 180);
        sh[1, 0] = Math.Tan(rng.Uniform(-o.shear, o.shear) * Math.PI / 180);

        var t = Identity();
        t[0, 2] = rng.Uniform(0.5 - o.translate, 0.5 + o.translate) * width;
        t[1, 2] = rng.Uniform(0.5 - o.translate, 0.5 + o.translate) * height;

        var m = Multiply(t, Multiply(sh, Multiply(r, Multiply(p, c))));
        var perspective = o.perspective != 0;
        if (border != 0 || !IsIdentity(m))
            image = Warp(image, m, width, height, perspective);

        if (labels.Count > 0)
            TransformLabels(labels, m, width, height, perspective, scale);
        return image;
    }

    /// <summary>
    /// box_candidates(box1 = original·s, box2 = transformed): keep boxes wider and taller than 2 px, with more than
    /// 10 % of their scaled area left and an aspect ratio below 20.
    /// </summary>
    public static bool IsCandidate(PixelLabel before, PixelLabel after, double scale)
    {
        const double eps = 1e-16;
        var (w1, h1) = ((before.X2 - before.X1) * scale, (before.Y2 - before.Y1) * scale);
        var (w2, h2) = ((double)after.X2 - after.X1, (double)after.Y2 - after.Y1);
        var ar = Math.Max(w2 / (h2 + eps), h2 / (w2 + eps));
        return w2 > 2 && h2 > 2 && w2 * h2 / (w1 * h1 + eps) > 0.1 && ar < 20;
    }

    private static Mat Warp(Mat image, double[,] m, int width, int height, bool perspective)
    {
        var grey = new Scalar(Letterbox.PadValue, Letterbox.PadValue, Letterbox.PadValue);
        var warped = new Mat();
        var rows = perspective ? 3 : 2;
        using (var matrix = new Mat(rows, 3, MatType.CV_64FC1))
        {
            for (var i = 0; i < rows; i++)
            for (var j = 0; j < 3; j++)
                matrix.Set(i, j, m[i, j]);
            if (perspective)
                Cv2.WarpPerspective(image, warped, matrix, new Size(width, height), InterpolationFlags.Linear, BorderTypes.Constant, grey);
            else
                Cv2.WarpAffine(image, warped, matrix, new Size(width, height), InterpolationFlags.Linear, BorderTypes.Constant, grey);
        }
        image.Dispose();
        return warped;
    }

    private static void TransformLabels(List<PixelLabel> labels, double[,] m, int width, int height, bool perspective, double scale)
    {
        var kept = new List<PixelLabel>(labels.Count);
        Span<(double X, double Y)> corners = stackalloc (double, double)[4];
        foreach (var box in labels)
        {
            corners[0] = Map(m, box.X1, box.Y1, perspective);
            corners[1] = Map(m, box.X2, box.Y2, perspective);
            corners[2] = Map(m, box.X1, box.Y2, perspective);
            corners[3] = Map(m, box.X2, box.Y1, perspective);
            double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
            foreach (var (x, y) in corners)
                (minX, minY, maxX, maxY) = (Math.Min(minX, x), Math.Min(minY, y), Math.Max(maxX, x), Math.Max(maxY, y));
            var moved = new PixelLabel(box.Class,
                (float)Math.Clamp(minX, 0, width), (float)Math.Clamp(minY, 0, height),
                (float)Math.Clamp(maxX, 0, width), (float)Math.Clamp(maxY, 0, height));
            if (IsCandidate(box, moved, scale))
                kept.Add(moved);
        }
        labels.Clear();
        labels.AddRange(kept);
    }

    private static (double X, double Y) Map(double[,] m, double x, double y, bool perspective)
    {
        var u = m[0, 0] * x + m[0, 1] * y + m[0, 2];
        var v = m[1, 0] * x + m[1, 1] * y + m[1, 2];
        if (!perspective)
            return (u, v);
        var w = m[2, 0] * x + m[2, 1] * y + m[2, 2];
        return (u / w, v / w);
    }

    private static double[,] Identity() => new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };

    private static bool IsIdentity(double[,] m)
    {
        for (var i = 0; i < 3; i++)
        for (var j = 0; j < 3; j++)
        {
            if (m[i, j] != (i == j ? 1 : 0))
                return false;
        }
        return true;
    }

    private static double[,] Multiply(double[,] x, double[,] y)
    {
        var z = new double[3, 3];
        for (var i = 0; i < 3; i++)
        for (var j = 0; j < 3; j++)
            z[i, j] = x[i, 0] * y[0, j] + x[i, 1] * y[1, j] + x[i, 2] * y[2, j];
        return z;
    }
}
