using OpenCvSharp;
using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Training.Data;

/// <summary>
/// YOLOv7's load_mosaic and load_mosaic9 before their random_perspective: the sample's image and 3 (or 8) others
/// drawn with replacement are tiled on a grey (114) canvas of 2s x 2s pixels around a random centre, labels moved
/// with their tiles and clipped to the canvas. The caller then applies <see cref="RandomPerspective"/> with border
/// -s/2, which crops the canvas back to s x s.
/// </summary>
internal static class Mosaic
{
    /// <summary>load_mosaic: 4 tiles meeting at a centre drawn from [s/2, 3s/2) in each axis.</summary>
    public static Mat Four(SampleSource source, int index, SampleRandom rng, List<PixelLabel> labels)
    {
        var s = source.ImageSize;
        var yc = (int)rng.Uniform(s / 2, 2 * s - s / 2);
        var xc = (int)rng.Uniform(s / 2, 2 * s - s / 2);
        var canvas = Canvas(2 * s);
        for (var i = 0; i < 4; i++)
        {
            var tile = i == 0 ? index : rng.Below(source.Count);
            using var image = source.Load(tile);
            var (h, w) = (image.Height, image.Width);
            // Where the tile lands on the canvas (a) and which part of it is shown (b); see load_mosaic.
            int x1a, y1a, x2a, y2a, x1b, y1b, x2b, y2b;
            switch (i)
            {
                case 0: // top left
                    (x1a, y1a, x2a, y2a) = (Math.Max(xc - w, 0), Math.Max(yc - h, 0), xc, yc);
                    (x1b, y1b, x2b, y2b) = (w - (x2a - x1a), h - (y2a - y1a), w, h);
                    break;
                case 1: // top right
                    (x1a, y1a, x2a, y2a) = (xc, Math.Max(yc - h, 0), Math.Min(xc + w, 2 * s), yc);
                    (x1b, y1b, x2b, y2b) = (0, h - (y2a - y1a), Math.Min(w, x2a - x1a), h);
                    break;
                case 2: // bottom left
                    (x1a, y1a, x2a, y2a) = (Math.Max(xc - w, 0), yc, xc, Math.Min(2 * s, yc + h));
                    (x1b, y1b, x2b, y2b) = (w - (x2a - x1a), 0, w, Math.Min(y2a - y1a, h));
                    break;
                default: // bottom right
                    (x1a, y1a, x2a, y2a) = (xc, yc, Math.Min(xc + w, 2 * s), Math.Min(2 * s, yc + h));
                    (x1b, y1b, x2b, y2b) = (0, 0, Math.Min(w, x2a - x1a), Math.Min(y2a - y1a, h));
                    break;
            }
            Copy(image.Image, new Rect(x1b, y1b, x2b - x1b, y2b - y1b), canvas, new Rect(x1a, y1a, x2a - x1a, y2a - y1a));
            AddLabels(source.Labels[tile], w, h, x1a - x1b, y1a - y1b, labels);
        }
        ClipAll(labels, 2 * s);
        return canvas;
    }

    /// <summary>load_mosaic9: the sample in the centre of a 3s x 3s canvas, 8 neighbours around it, then a random 2s x 2s crop.</summary>
    public static Mat Nine(SampleSource source, int index, SampleRandom rng, List<PixelLabel> labels)
    {
        var s = source.ImageSize;
        using var big = Canvas(3 * s);
        int h0 = 0, w0 = 0, hp = 0, wp = 0;
        for (var i = 0; i < 9; i++)
        {
            var tile = i == 0 ? index : rng.Below(source.Count);
            using var image = source.Load(tile);
            var (h, w) = (image.Height, image.Width);
            if (i == 0)
                (h0, w0) = (h, w);
            // Tile corners (xmin, ymin, xmax, ymax) on the 3s canvas, clockwise from the top; see load_mosaic9.
            var (cx1, cy1, cx2, cy2) = i switch
            {
                0 => (s, s, s + w, s + h),
                1 => (s, s - h, s + w, s),
                2 => (s + wp, s - h, s + wp + w, s),
                3 => (s + w0, s, s + w0 + w, s + h),
                4 => (s + w0, s + hp, s + w0 + w, s + hp + h),
                5 => (s + w0 - w, s + h0, s + w0, s + h0 + h),
                6 => (s + w0 - wp - w, s + h0, s + w0 - wp, s + h0 + h),
                7 => (s - w, s + h0 - h, s, s + h0),
                _ => (s - w, s + h0 - hp - h, s, s + h0 - hp),
            };
            var (x1, y1, x2, y2) = (Math.Max(cx1, 0), Math.Max(cy1, 0), Math.Max(cx2, 0), Math.Max(cy2, 0));
            Copy(image.Image, new Rect(x1 - cx1, y1 - cy1, x2 - x1, y2 - y1), big, new Rect(x1, y1, x2 - x1, y2 - y1));
            AddLabels(source.Labels[tile], w, h, cx1, cy1, labels);
            (hp, wp) = (h, w);
        }
        var yc = (int)rng.Uniform(0, s);
        var xc = (int)rng.Uniform(0, s);
        for (var j = 0; j < labels.Count; j++)
            labels[j] = labels[j] with { X1 = labels[j].X1 - xc, X2 = labels[j].X2 - xc, Y1 = labels[j].Y1 - yc, Y2 = labels[j].Y2 - yc };
        ClipAll(labels, 2 * s);
        using var crop = new Mat(big, new Rect(xc, yc, 2 * s, 2 * s));
        return crop.Clone();
    }

    private static Mat Canvas(int side) => new(side, side, MatType.CV_8UC3, new Scalar(Letterbox.PadValue, Letterbox.PadValue, Letterbox.PadValue));

    private static void Copy(Mat source, Rect from, Mat destination, Rect to)
    {
        if (to.Width <= 0 || to.Height <= 0)
            return;
        using var part = new Mat(source, from);
        using var target = new Mat(destination, to);
        part.CopyTo(target);
    }

    private static void AddLabels(IReadOnlyList<NormalizedLabel> tileLabels, int w, int h, int padw, int padh, List<PixelLabel> labels)
    {
        foreach (var label in tileLabels)
            labels.Add(PixelBoxes.FromNormalized(label, w, h, padw, padh));
    }

    private static void ClipAll(List<PixelLabel> labels, int limit)
    {
        for (var j = 0; j < labels.Count; j++)
            labels[j] = PixelBoxes.Clip(labels[j], limit);
    }
}
