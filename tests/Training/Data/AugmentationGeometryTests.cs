using PruneCluster.Engine.Training.Data;

namespace PruneCluster.Tests.Training.Data;

/// <summary>
/// Each augmentation on images of solid coloured boxes: after it, every label still frames its box (the box's colour
/// fills the label and spans it to within a pixel or two) and no box is left without its label.
/// </summary>
public sealed class AugmentationGeometryTests
{
    [Fact]
    public void Letterbox_without_augmentation_puts_labels_exactly_on_the_boxes()
    {
        using var boxes = new SyntheticBoxes();
        using var loader = TrainingFixture.Loader(boxes, augmentation: null);

        for (var i = 0; i < loader.Set.Count; i++)
        {
            var sample = loader.Sample(i, epoch: 0);
            Assert.Equal((TrainingFixture.Size, TrainingFixture.Size), (sample.Height, sample.Width));
            Assert.Equal(AugmentationTrace.None, sample.Trace);
            Assert.Equal(loader.Set.Labels[i].Count, sample.Labels.Count);
            ObjectPixels.Of(sample).AssertLabelsOnObjects(sample.Labels, minFill: 0.95, edgeTolerance: 1.5, $"letterboxed image {i}");
        }
    }

    [Fact]
    public void Four_image_mosaic_with_scale_and_translation_keeps_labels_on_the_boxes()
    {
        using var boxes = new SyntheticBoxes();
        using var loader = TrainingFixture.Loader(boxes, TrainingFixture.Quiet with { mosaic = 1, scale = 0.5, translate = 0.1 });

        foreach (var sample in TrainingFixture.SamplesWhere(loader, s => s.Trace.MosaicTiles == 4, want: 6))
        {
            Assert.Equal((TrainingFixture.Size, TrainingFixture.Size), (sample.Height, sample.Width));
            ObjectPixels.Of(sample).AssertLabelsOnObjects(sample.Labels, minFill: 0.9, edgeTolerance: 2, $"mosaic-4 of image {sample.Index}");
        }
    }

    [Fact]
    public void Nine_image_mosaic_keeps_labels_on_the_boxes()
    {
        using var boxes = new SyntheticBoxes();
        using var loader = TrainingFixture.Loader(boxes, TrainingFixture.Quiet with { mosaic = 1, scale = 0.5, translate = 0.1 });

        foreach (var sample in TrainingFixture.SamplesWhere(loader, s => s.Trace.MosaicTiles == 9, want: 6))
            ObjectPixels.Of(sample).AssertLabelsOnObjects(sample.Labels, minFill: 0.9, edgeTolerance: 2, $"mosaic-9 of image {sample.Index}");
    }

    [Fact]
    public void Random_perspective_with_rotation_shear_scale_translation_and_perspective_keeps_labels_on_the_boxes()
    {
        using var boxes = new SyntheticBoxes();
        var warp = TrainingFixture.Quiet with { degrees = 10, shear = 5, scale = 0.3, translate = 0.1, perspective = 0.0005 };
        using var single = TrainingFixture.Loader(boxes, warp);
        using var mosaic = TrainingFixture.Loader(boxes, warp with { mosaic = 1 });

        // Rotated and sheared boxes fill only part of their axis-aligned hull, hence the lower fill.
        for (var i = 0; i < single.Set.Count; i++)
        {
            var sample = single.Sample(i, epoch: 3);
            Assert.Equal(0, sample.Trace.MosaicTiles);
            ObjectPixels.Of(sample).AssertLabelsOnObjects(sample.Labels, minFill: 0.5, edgeTolerance: 3, $"warped image {i}");
        }
        foreach (var sample in TrainingFixture.SamplesWhere(mosaic, s => s.Trace.MosaicTiles > 0, want: 6))
            ObjectPixels.Of(sample).AssertLabelsOnObjects(sample.Labels, minFill: 0.5, edgeTolerance: 3, $"warped mosaic of image {sample.Index}");
    }

    [Fact]
    public void Flips_mirror_the_image_and_the_labels()
    {
        using var boxes = new SyntheticBoxes();
        var geometry = TrainingFixture.Quiet with { mosaic = 1, scale = 0.3, translate = 0.1 };
        using var plain = TrainingFixture.Loader(boxes, geometry);
        using var flipped = TrainingFixture.Loader(boxes, geometry with { fliplr = 1, flipud = 1 });

        for (var i = 0; i < plain.Set.Count; i++)
        {
            var a = plain.Sample(i, epoch: 1);
            var b = flipped.Sample(i, epoch: 1);
            Assert.True(b.Trace is { FlippedLeftRight: true, FlippedUpDown: true });
            // Both flips together turn the image by 180 degrees: pixel (x, y) moves to (W-1-x, H-1-y).
            // Each colour plane is row-major, so the turn reverses every plane.
            var plane = a.Height * a.Width;
            for (var c = 0; c < 3; c++)
                Assert.Equal(a.Rgb.AsSpan(c * plane, plane).ToArray().Reverse(), b.Rgb.AsSpan(c * plane, plane).ToArray());
            Assert.Equal(a.Labels.Select(l => l with { CenterX = 1 - l.CenterX, CenterY = 1 - l.CenterY }), b.Labels);
            ObjectPixels.Of(b).AssertLabelsOnObjects(b.Labels, minFill: 0.9, edgeTolerance: 2, $"flipped mosaic of image {i}");
        }
    }

    [Fact]
    public void Mixup_keeps_the_first_mosaic_and_adds_a_second_one_with_its_labels()
    {
        using var boxes = new SyntheticBoxes();
        var geometry = TrainingFixture.Quiet with { mosaic = 1, scale = 0.3, translate = 0.1 };
        using var alone = TrainingFixture.Loader(boxes, geometry);
        using var mixed = TrainingFixture.Loader(boxes, geometry with { mixup = 1 });

        for (var i = 0; i < alone.Set.Count; i++)
        {
            var own = alone.Sample(i, epoch: 2);
            var mix = mixed.Sample(i, epoch: 2);
            var r = Assert.IsType<double>(mix.Trace.MixUpRatio);
            Assert.InRange(r, 0.02, 0.98);
            // The sample's own mosaic is drawn before the mixup decision, so its labels come first, unchanged.
            Assert.Equal(own.Labels, mix.Labels.Take(own.Labels.Count));
            Assert.True(mix.Labels.Count > own.Labels.Count, $"image {i}: the second mosaic brought no labels");

            // Undo the blend: other = (mixed - r * own) / (1 - r) recovers the second mosaic up to rounding and the
            // HSV round trip, and its labels must sit on its boxes.
            var pixels = own.Height * own.Width;
            var other = Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, pixels)
                .Select(p => (mix.Rgb[c * pixels + p] - r * own.Rgb[c * pixels + p]) / (1 - r)).ToArray()).ToArray();
            new ObjectPixels(other, own.Height, own.Width).AssertLabelsOnObjects(
                mix.Labels.Skip(own.Labels.Count).ToList(), minFill: 0.8, edgeTolerance: 2.5, $"second mosaic mixed into image {i}");
        }
    }
}
