using System.Globalization;
using OpenCvSharp;
using PruneCluster.Engine.Data;
using PruneCluster.Tests.Support;
using TorchSharp;
using Xunit;

namespace PruneCluster.Tests.Data;

/// <summary>bccd val at --img 320 --batch 32, the golden README's evaluation setting.</summary>
public sealed class BccdValidationSetTests : IClassFixture<BccdValidationSetTests.Val320>
{
    private readonly ValidationSet _set;

    public BccdValidationSetTests(Val320 fixture) => _set = fixture.Set;

    [Fact]
    public void Val_has_the_87_images_and_1137_labels_the_golden_readme_states()
    {
        Assert.Equal(87, _set.Images.Count);
        Assert.Equal(1137, _set.LabelCount);
        Assert.Empty(_set.Issues);
        Assert.Equal(87, _set.LabelFilesFound);
    }

    [Fact]
    public void Every_val_image_appears_once_and_batches_hold_at_most_32()
    {
        var expected = Directory.GetFiles(SharedData.Dataset("bccd/images/val"), "*.jpg").Select(Path.GetFullPath).Order(StringComparer.Ordinal);

        Assert.Equal(expected, _set.Images.Select(i => i.Path).Order(StringComparer.Ordinal));
        Assert.All(_set.Batches, b => Assert.InRange(b.Count, 1, 32));
        Assert.Equal((87 + 31) / 32, _set.Batches.Count);
    }

    [Fact]
    public void Rect_batch_shapes_equal_yolov7s_formula_on_the_real_aspect_ratios()
    {
        // Hand computation of LoadImagesAndLabels(rect=True): sort h/w, batches of 32, [maxi, 1] / [1, 1/mini] / [1, 1],
        // then ceil(shape * 320 / 32 + 0.5) * 32. Sizes come from the JPEG headers, not from the loader.
        var ratios = Directory.GetFiles(SharedData.Dataset("bccd/images/val"), "*.jpg")
            .Select(JpegHeader.Size).Select(s => (double)s.Height / s.Width).Order().ToList();
        var expected = ratios.Chunk(32).Select(batch =>
        {
            var (mini, maxi) = (batch.Min(), batch.Max());
            var (h, w) = maxi < 1 ? (maxi, 1.0) : mini > 1 ? (1.0, 1 / mini) : (1.0, 1.0);
            return ((int)Math.Ceiling(h * 320 / 32 + 0.5) * 32, (int)Math.Ceiling(w * 320 / 32 + 0.5) * 32);
        });

        Assert.Equal(expected, _set.Batches.Select(b => (b.Height, b.Width)));
        Assert.Equal(expected, RectBatchShapes.Compute(ratios, 32, 320, 32, 0.5));
    }

    [Fact]
    public void Letterboxed_image_is_an_independent_opencv_area_resize_framed_by_114()
    {
        var image = _set.Images.First(i => i.Path.EndsWith("BloodImage_00000.jpg", StringComparison.Ordinal));
        var batch = _set.Batches[image.Batch];
        var (height, width) = (batch.Height, batch.Width);
        var pixels = batch.Pixels.Span.Slice(image.Slot * 3 * height * width, 3 * height * width);

        using var original = Cv2.ImRead(image.Path, ImreadModes.Color);
        var (w, h) = ((int)(original.Cols * 320.0 / original.Cols), (int)(original.Rows * 320.0 / original.Cols));
        using var resized = new Mat();
        Cv2.Resize(original, resized, new OpenCvSharp.Size(w, h), 0, 0, InterpolationFlags.Area);
        var (top, left) = ((int)Math.Round((height - h) / 2.0 - 0.1), (int)Math.Round((width - w) / 2.0 - 0.1));

        Assert.Equal((480, 640), (image.OriginalHeight, image.OriginalWidth));
        Assert.Equal((h, w), (image.ResizedHeight, image.ResizedWidth));
        Assert.Equal((top, left), (image.Letterbox.Top, image.Letterbox.Left));
        var mismatches = 0;
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var inside = y >= top && y < top + h && x >= left && x < left + w;
                    var expected = inside ? resized.At<Vec3b>(y - top, x - left)[2 - c] : (byte)114; // RGB planes from BGR
                    if (pixels[(c * height + y) * width + x] != expected)
                        mismatches++;
                }
            }
        }
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void First_label_of_an_image_lands_where_a_hand_computation_puts_it()
    {
        var image = _set.Images.First(i => i.Path.EndsWith("BloodImage_00000.jpg", StringComparison.Ordinal));
        var row = File.ReadLines(SharedData.Dataset("bccd/labels/val/BloodImage_00000.txt")).First()
            .Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        // 640x480 -> 320x240 (gain 0.5), padded into the batch shape: dw = (W - 320) / 2, dh = (H - 240) / 2.
        var batch = _set.Batches[image.Batch];
        var (dw, dh) = ((batch.Width - 320) / 2.0, (batch.Height - 240) / 2.0);
        var expected = (x1: 320 * (row[1] - row[3] / 2) + dw, y1: 240 * (row[2] - row[4] / 2) + dh,
            x2: 320 * (row[1] + row[3] / 2) + dw, y2: 240 * (row[2] + row[4] / 2) + dh);

        var label = image.Labels[0];

        Assert.Equal((int)row[0], label.Class);
        Assert.Equal(expected.x1, label.X1, 1e-3);
        Assert.Equal(expected.y1, label.Y1, 1e-3);
        Assert.Equal(expected.x2, label.X2, 1e-3);
        Assert.Equal(expected.y2, label.Y2, 1e-3);
        Assert.Equal((dw, dh), (image.Letterbox.PadWidth, image.Letterbox.PadHeight));
        Assert.Equal((0.5, 0.5), (image.GainHeight, image.GainWidth));
        var back = image.ToOriginal(label.X1, label.Y1, label.X2, label.Y2);
        Assert.Equal(640 * (row[1] - row[3] / 2), back.X1, 1e-3);
        Assert.Equal(480 * (row[2] + row[4] / 2), back.Y2, 1e-3);
    }

    [Fact]
    public void Image_tensor_is_float32_rgb_pixels_over_255_and_targets_follow_collate()
    {
        var batch = _set.Batches[0];
        using var images = batch.CreateImages();
        using var targets = batch.CreateTargets();

        Assert.Equal(new long[] { batch.Count, 3, batch.Height, batch.Width }, images.shape);
        Assert.Equal(torch.ScalarType.Float32, images.dtype);
        var pixels = batch.Pixels.Span;
        foreach (var flat in new[] { 0, 12345, pixels.Length / 2, pixels.Length - 1 })
        {
            var (n, rest) = Math.DivRem(flat, 3 * batch.Height * batch.Width);
            var (c, yx) = Math.DivRem(rest, batch.Height * batch.Width);
            var (y, x) = Math.DivRem(yx, batch.Width);
            Assert.Equal(pixels[flat] / 255f, images[n, c, y, x].item<float>());
        }
        Assert.Equal(new long[] { batch.Images.Sum(i => i.Labels.Count), 6 }, targets.shape);
        Assert.Equal(batch.Count - 1, targets[-1, 0].item<float>());
    }

    [Fact]
    public void Second_load_of_the_same_split_shares_the_decoded_pixels()
    {
        using var again = ValidationSet.Load(DataYaml.Load(SharedData.Dataset("bccd/bccd.yaml")), "val", 320, 32, options: TestImageCache.Options);

        Assert.Equal(ImageCacheSource.Memory, again.Source);
        Assert.True(again.Batches[0].Pixels.Span.Overlaps(_set.Batches[0].Pixels.Span));
        Assert.Equal(_set.Images.Select(i => i.Path), again.Images.Select(i => i.Path));
    }

    public sealed class Val320 : IDisposable
    {
        public ValidationSet Set { get; } = ValidationSet.Load(DataYaml.Load(SharedData.Dataset("bccd/bccd.yaml")), "val", 320, 32, options: TestImageCache.Options);

        public void Dispose() => Set.Dispose();
    }
}
