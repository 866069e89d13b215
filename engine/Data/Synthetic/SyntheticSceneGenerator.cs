namespace PruneCluster.Engine.Data.Synthetic;

/// <summary>
/// Makes image <c>index</c> of a synthetic data set, fixed by (seed, index) and the options alone: a textured
/// background, then 1 to <see cref="SyntheticDatasetOptions.MaxObjects"/> solid-coloured shapes placed back to front.
/// <para>
/// Occlusion rule: every object keeps at least <see cref="SyntheticDatasetOptions.MinVisible"/> of its pixels visible (not covered by
/// later objects, not outside the image). A placement that would break this for the new object or for any object
/// beneath it is rejected and tried again smaller and elsewhere; after <see cref="Attempts"/> rejections the object is
/// left out. So every visible fragment belongs to a labelled object, and each label is the tight box of the object's
/// visible pixels (not of the whole shape).
/// </para>
/// </summary>
public static class SyntheticSceneGenerator
{
    public const int Attempts = 30;

    /// <summary>The smallest object diameter in pixels, whatever the image size.</summary>
    public const double MinSizePixels = 8;

    /// <summary>Least Euclidean BGR distance between an object's colour and what it is drawn on (when some random colour reaches it).</summary>
    private const double MinContrast = 90;

    private const int ColourTries = 12;

    public static SyntheticScene Render(SyntheticDatasetOptions options, int index)
    {
        options.Validate();
        if (index < 0 || index >= options.Images)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the data set has images 0..{options.Images - 1}");
        var size = options.ImageSize;
        var random = SyntheticRandom.ForImage(options.Seed, index);
        var background = SyntheticBackground.Paint(size, random);
        var canvas = new Canvas(size, background, options.MinVisible);

        // Classes cycle through a shuffled order, so every image is balanced to within one object per class.
        var kinds = options.ClassKinds;
        var order = Enumerable.Range(0, kinds.Count).ToArray();
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var count = random.Between(1, options.MaxObjects);
        var minSize = Math.Max(MinSizePixels, options.MinObjectSize * size);
        var maxSize = Math.Max(minSize, options.MaxObjectSize * size);
        for (var k = 0; k < count; k++)
        {
            var classId = order[k % order.Length];
            var kind = kinds[classId];
            var diameter = random.LogUniform(minSize, maxSize);
            for (var attempt = 0; attempt < Attempts; attempt++, diameter = Math.Max(minSize, diameter * 0.9))
            {
                var mask = ShapeMask.Draw(kind, random.Uniform(0, size), random.Uniform(0, size), diameter,
                    random.Uniform(0.8, 1.25), random.Uniform(0, 2 * Math.PI), random);
                if (canvas.TryPlace(mask, classId, kind, random))
                    break;
            }
        }
        return canvas.Finish();
    }

    /// <summary>The image being composed: background pixels, which object owns each pixel, and the objects so far.</summary>
    private sealed class Canvas(int size, byte[] background, double minVisible)
    {
        private readonly byte[] _owner = NewOwnerMap(size);
        private readonly List<(int ClassId, ShapeKind Kind, byte B, byte G, byte R, int Visible, int Pixels)> _objects = [];

        public bool TryPlace(ShapeMask mask, int classId, ShapeKind kind, SyntheticRandom random)
        {
            var covered = new int[_objects.Count];
            var visible = 0;
            var (sumB, sumG, sumR) = (0L, 0L, 0L);
            ForEachPixel(mask, at =>
            {
                visible++;
                var (b, g, r) = ColourAt(at);
                (sumB, sumG, sumR) = (sumB + b, sumG + g, sumR + r);
                if (_owner[at] != SyntheticScene.Background)
                    covered[_owner[at]]++;
            });
            if (visible == 0 || visible < minVisible * mask.Area)
                return false;
            for (var o = 0; o < _objects.Count; o++)
                if (_objects[o].Visible - covered[o] < minVisible * _objects[o].Pixels)
                    return false;

            // Contrast with the mean colour beneath and with every object it overlaps, so that no object is invisible.
            var beneath = new List<(double, double, double)> { ((double)sumB / visible, (double)sumG / visible, (double)sumR / visible) };
            beneath.AddRange(Enumerable.Range(0, _objects.Count).Where(o => covered[o] > 0).Select(o => ((double)_objects[o].B, (double)_objects[o].G, (double)_objects[o].R)));
            var colour = PickColour(beneath, random);

            var index = (byte)_objects.Count;
            ForEachPixel(mask, at => _owner[at] = index);
            for (var o = 0; o < _objects.Count; o++)
                _objects[o] = _objects[o] with { Visible = _objects[o].Visible - covered[o] };
            _objects.Add((classId, kind, colour.B, colour.G, colour.R, visible, mask.Area));
            return true;
        }

        public SyntheticScene Finish()
        {
            var bgr = background;
            var boxes = _objects.Select(_ => (X1: size, Y1: size, X2: 0, Y2: 0, Count: 0)).ToArray();
            for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var o = _owner[y * size + x];
                if (o == SyntheticScene.Background)
                    continue;
                var at = (y * size + x) * 3;
                (bgr[at], bgr[at + 1], bgr[at + 2]) = (_objects[o].B, _objects[o].G, _objects[o].R);
                var box = boxes[o];
                boxes[o] = (Math.Min(box.X1, x), Math.Min(box.Y1, y), Math.Max(box.X2, x + 1), Math.Max(box.Y2, y + 1), box.Count + 1);
            }
            var objects = _objects.Select((o, i) => new SyntheticObject(o.ClassId, o.Kind, o.B, o.G, o.R,
                boxes[i].X1, boxes[i].Y1, boxes[i].X2, boxes[i].Y2, boxes[i].Count, o.Pixels)).ToList();
            return new SyntheticScene(size, bgr, _owner, objects);
        }

        private static byte[] NewOwnerMap(int size)
        {
            var owner = new byte[size * size];
            Array.Fill(owner, SyntheticScene.Background);
            return owner;
        }

        private (byte B, byte G, byte R) ColourAt(int at)
        {
            var o = _owner[at];
            return o == SyntheticScene.Background
                ? (background[at * 3], background[at * 3 + 1], background[at * 3 + 2])
                : (_objects[o].B, _objects[o].G, _objects[o].R);
        }

        /// <summary>Calls <paramref name="visit"/> with the image offset of every mask pixel inside the image.</summary>
        private void ForEachPixel(ShapeMask mask, Action<int> visit)
        {
            var y0 = Math.Max(0, -mask.Top);
            var y1 = Math.Min(mask.Height, size - mask.Top);
            var x0 = Math.Max(0, -mask.Left);
            var x1 = Math.Min(mask.Width, size - mask.Left);
            for (var y = y0; y < y1; y++)
            for (var x = x0; x < x1; x++)
                if (mask.Pixels[y * mask.Width + x] != 0)
                    visit((mask.Top + y) * size + mask.Left + x);
        }

        private static (byte B, byte G, byte R) PickColour(List<(double B, double G, double R)> beneath, SyntheticRandom random)
        {
            var best = (B: (byte)0, G: (byte)0, R: (byte)0);
            var bestContrast = -1.0;
            for (var t = 0; t < ColourTries && bestContrast < MinContrast; t++)
            {
                var (b, g, r) = SyntheticBackground.Colour(random);
                var candidate = ((byte)b, (byte)g, (byte)r);
                var contrast = beneath.Min(c => Math.Sqrt(Sq(c.B - candidate.Item1) + Sq(c.G - candidate.Item2) + Sq(c.R - candidate.Item3)));
                if (contrast > bestContrast)
                    (best, bestContrast) = (candidate, contrast);
            }
            return best;
        }

        private static double Sq(double v) => v * v;
    }
}
