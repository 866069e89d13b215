using PruneCluster.Engine.Training.Data;

namespace PruneCluster.Tests.Training.Data;

/// <summary>HSV gains change the colours of a sample but not where anything is.</summary>
public sealed class HsvAugmentationTests
{
    [Fact]
    public void Hsv_gains_change_colours_but_not_geometry()
    {
        using var boxes = new SyntheticBoxes();
        var geometry = TrainingFixture.Quiet with { mosaic = 1, scale = 0.3, translate = 0.1, degrees = 5 };
        using var plain = TrainingFixture.Loader(boxes, geometry);
        using var coloured = TrainingFixture.Loader(boxes, geometry with { hsv_h = 0.1, hsv_s = 0.7, hsv_v = 0.4 });

        var changedPixels = 0;
        for (var i = 0; i < plain.Set.Count; i++)
        {
            var a = plain.Sample(i, epoch: 0);
            var b = coloured.Sample(i, epoch: 0);
            Assert.Equal(a.Labels, b.Labels);
            var pixels = a.Height * a.Width;
            for (var p = 0; p < pixels; p++)
            {
                var (ra, ga, ba) = (a.Rgb[p], a.Rgb[pixels + p], a.Rgb[2 * pixels + p]);
                var (rb, gb, bb) = (b.Rgb[p], b.Rgb[pixels + p], b.Rgb[2 * pixels + p]);
                // Black (V = 0) stays black under any gain and bright pixels stay bright (V gain >= 0.6): nothing moved.
                var (brightA, brightB) = (Math.Max(ra, Math.Max(ga, ba)), Math.Max(rb, Math.Max(gb, bb)));
                if (brightA == 0)
                    Assert.Equal(0, brightB);
                if (brightA >= 100)
                    Assert.True(brightB >= 50, $"image {i} pixel {p}: {brightA} became {brightB}");
                if (Math.Abs(ra - rb) + Math.Abs(ga - gb) + Math.Abs(ba - bb) > 30)
                    changedPixels++;
            }
        }
        Assert.True(changedPixels > 1000, $"HSV gains changed only {changedPixels} pixels noticeably");
    }
}
