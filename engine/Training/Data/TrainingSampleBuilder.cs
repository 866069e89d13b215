using OpenCvSharp;
using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Training.Data;

/// <summary>
/// YOLOv7's LoadImagesAndLabels.__getitem__ for rect=False: with probability <c>mosaic</c> a 4-mosaic (80 %) or
/// 9-mosaic, each followed by random_perspective, and with probability <c>mixup</c> blended with a second mosaic;
/// otherwise load_image, letterbox to s x s (scaleup only when augmenting) and random_perspective; then HSV, labels
/// to normalised xywh, up-down and left-right flips. Without augmentation (null options) only the letterbox runs.
/// Every draw comes from the sample's own <see cref="SampleRandom"/>(seed, epoch, index).
/// </summary>
internal sealed class TrainingSampleBuilder(SampleSource source, AugmentationOptions? augmentation, IReadOnlyList<string> paths)
{
    public TrainingSample Build(int index, long seed, long epoch)
    {
        var rng = new SampleRandom(seed, epoch, index);
        var labels = new List<PixelLabel>();
        var trace = AugmentationTrace.None;
        var image = augmentation is { } o ? Augment(index, o, rng, labels, ref trace) : LetterboxOnly(index, labels, scaleUp: false);
        try
        {
            var normalized = labels.Select(l => PixelBoxes.ToNormalized(l, image.Cols, image.Rows)).ToList();
            if (augmentation is { } flips)
            {
                if (rng.NextDouble() < flips.flipud)
                {
                    Cv2.Flip(image, image, FlipMode.X);
                    trace = trace with { FlippedUpDown = true };
                    normalized = normalized.Select(l => l with { CenterY = 1 - l.CenterY }).ToList();
                }
                if (rng.NextDouble() < flips.fliplr)
                {
                    Cv2.Flip(image, image, FlipMode.Y);
                    trace = trace with { FlippedLeftRight = true };
                    normalized = normalized.Select(l => l with { CenterX = 1 - l.CenterX }).ToList();
                }
            }
            return new TrainingSample(index, paths[index], image.Rows, image.Cols, Rgb(image), normalized, trace);
        }
        finally
        {
            image.Dispose();
        }
    }

    private Mat Augment(int index, AugmentationOptions o, SampleRandom rng, List<PixelLabel> labels, ref AugmentationTrace trace)
    {
        Mat image;
        if (rng.NextDouble() < o.mosaic)
        {
            (image, var tiles) = MosaicWithPerspective(index, o, rng, labels);
            trace = trace with { MosaicTiles = tiles };
            if (rng.NextDouble() < o.mixup)
            {
                var otherLabels = new List<PixelLabel>();
                using var other = MosaicWithPerspective(rng.Below(source.Count), o, rng, otherLabels).Image;
                var r = rng.Beta8x8();
                MixUp(image, other, r);
                labels.AddRange(otherLabels);
                trace = trace with { MixUpRatio = r };
            }
        }
        else
        {
            image = LetterboxOnly(index, labels, scaleUp: true);
            image = RandomPerspective.Apply(image, labels, o, border: 0, rng);
        }
        HsvAugmentation.Apply(image, o.hsv_h, o.hsv_s, o.hsv_v, rng);
        // paste_in and copy_paste act on polygon segments only; box labels give them nothing to paste (see README).
        return image;
    }

    private (Mat Image, int Tiles) MosaicWithPerspective(int index, AugmentationOptions o, SampleRandom rng, List<PixelLabel> labels)
    {
        var four = rng.NextDouble() < 0.8;
        var canvas = four ? Mosaic.Four(source, index, rng, labels) : Mosaic.Nine(source, index, rng, labels);
        return (RandomPerspective.Apply(canvas, labels, o, border: -source.ImageSize / 2, rng), four ? 4 : 9);
    }

    /// <summary>load_image, then letterbox(img, s, auto=False, scaleup) with the labels moved along.</summary>
    private Mat LetterboxOnly(int index, List<PixelLabel> labels, bool scaleUp)
    {
        var s = source.ImageSize;
        using var resized = source.Load(index);
        var plan = Letterbox.Plan(resized.Height, resized.Width, s, s, scaleUp);
        foreach (var label in source.Labels[index])
            labels.Add(PixelBoxes.FromNormalized(label, plan.Ratio * resized.Width, plan.Ratio * resized.Height, plan.PadWidth, plan.PadHeight));
        return Letterbox.Apply(resized.Image, plan);
    }

    /// <summary>(img * r + img2 * (1 - r)).astype(np.uint8): computed in double, truncated.</summary>
    private static void MixUp(Mat image, Mat other, double r)
    {
        var a = image.AsSpan<byte>();
        ReadOnlySpan<byte> b = other.AsSpan<byte>();
        for (var i = 0; i < a.Length; i++)
            a[i] = (byte)(a[i] * r + b[i] * (1 - r));
    }

    private static byte[] Rgb(Mat bgr)
    {
        var rgb = new byte[3 * bgr.Rows * bgr.Cols];
        RgbPlanes.Copy(bgr, rgb);
        return rgb;
    }
}
