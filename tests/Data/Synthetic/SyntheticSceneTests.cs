using System.Globalization;
using System.Runtime.InteropServices;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Data.Synthetic;

namespace PruneCluster.Tests.Data.Synthetic;

/// <summary>The written images and labels against the generator's in-memory scenes (masks, colours, boxes).</summary>
public sealed class SyntheticSceneTests(SyntheticDatasetFixture fixture) : IClassFixture<SyntheticDatasetFixture>
{
    [Fact]
    public void WrittenFilesAreExactlyTheRenderedScenes()
    {
        var options = fixture.Options;
        for (var i = 0; i < options.Images; i++)
        {
            var scene = SyntheticSceneGenerator.Render(options, i);
            Assert.Equal(scene.Bgr, Decode(SyntheticDataset.ImagePath(fixture.Folder, options, i)));
            Assert.Equal(scene.LabelText(), File.ReadAllText(SyntheticDataset.LabelPath(fixture.Folder, options, i)));
        }
    }

    [Fact]
    public void EachLabelIsTheTightBoxOfItsObjectsVisiblePixelsAllInTheObjectsColour()
    {
        var options = fixture.Options;
        var size = options.ImageSize;
        var objects = 0;
        for (var i = 0; i < options.Images; i++)
        {
            var scene = SyntheticSceneGenerator.Render(options, i);
            var pixels = Decode(SyntheticDataset.ImagePath(fixture.Folder, options, i));
            var labels = File.ReadAllLines(SyntheticDataset.LabelPath(fixture.Folder, options, i)).Select(ParseRow).ToList();
            Assert.Equal(scene.Objects.Count, labels.Count);
            for (var k = 0; k < labels.Count; k++, objects++)
            {
                var o = scene.Objects[k];
                var (cls, x1, y1, x2, y2) = labels[k];
                Assert.Equal(o.ClassId, cls);
                // The label (from the file, in pixels) is the bounding box of the pixels the mask gives this object.
                var mask = Enumerable.Range(0, size * size).Where(p => scene.Owner[p] == k).ToList();
                Assert.Equal(o.VisiblePixels, mask.Count);
                Assert.Equal(mask.Min(p => p % size), x1, 1e-3);
                Assert.Equal(mask.Max(p => p % size) + 1, x2, 1e-3);
                Assert.Equal(mask.Min(p => p / size), y1, 1e-3);
                Assert.Equal(mask.Max(p => p / size) + 1, y2, 1e-3);
                // Every visible pixel of the decoded file has the object's colour.
                Assert.All(mask, p => Assert.Equal((o.B, o.G, o.R), (pixels[3 * p], pixels[3 * p + 1], pixels[3 * p + 2])));
                // Read from the file alone, the box is largely the object: its colour covers a good share of it
                // (a thin ring or a rotated cross fill the least of their boxes, occlusion removes up to half).
                var box = Enumerable.Range((int)y1, (int)(y2 - y1)).SelectMany(y => Enumerable.Range((int)x1, (int)(x2 - x1)).Select(x => y * size + x)).ToList();
                var sameColour = box.Count(p => (pixels[3 * p], pixels[3 * p + 1], pixels[3 * p + 2]) == (o.B, o.G, o.R));
                Assert.True(sameColour >= 0.15 * box.Count, $"image {i} object {k}: only {sameColour} of {box.Count} box pixels have its colour");
                Assert.True(o.VisibleFraction >= options.MinVisible, $"image {i} object {k}: {o.VisibleFraction:P0} visible");
            }
        }
        Assert.True(objects >= 3 * options.Images, $"only {objects} objects in {options.Images} images");
    }

    [Fact]
    public void ScenesHaveOccludedTruncatedSmallAndLargeObjects()
    {
        var options = fixture.Options with { Images = 300, ImageSize = 320 };
        var objects = Enumerable.Range(0, 40).SelectMany(i => SyntheticSceneGenerator.Render(options, i).Objects).ToList();
        // Partly hidden (by later objects or the image edge), but never below the documented share.
        Assert.Contains(objects, o => o.VisibleFraction < 0.9);
        Assert.All(objects, o => Assert.True(o.VisibleFraction >= options.MinVisible));
        // COCO's small (< 32² px) and large (> 96² px) objects both occur at 320.
        Assert.Contains(objects, o => (o.X2 - o.X1) * (o.Y2 - o.Y1) < 32 * 32);
        Assert.Contains(objects, o => (o.X2 - o.X1) * (o.Y2 - o.Y1) > 96 * 96);
        Assert.Contains(objects, o => o.X1 == 0 || o.Y1 == 0 || o.X2 == 320 || o.Y2 == 320);
    }

    [Fact]
    public void MinVisibleOneMakesOnlyWholeObjects()
    {
        var options = fixture.Options with { Images = 300, ImageSize = 128, MinObjectSize = 0.2, MaxObjectSize = 0.6, MaxObjects = 3, MinVisible = 1 };
        var scenes = Enumerable.Range(0, 40).Select(i => SyntheticSceneGenerator.Render(options, i)).ToList();
        var objects = scenes.SelectMany(s => s.Objects).ToList();
        // Neither covered by another object nor cut by the image edge (an object may touch it).
        Assert.All(objects, o => Assert.Equal(1.0, o.VisibleFraction));
        Assert.Contains(scenes, s => s.Objects.Count >= 2);
        // The default (0.5) at the same sizes does cut objects.
        var defaults = Enumerable.Range(0, 40).SelectMany(i => SyntheticSceneGenerator.Render(options with { MinVisible = 0.5 }, i).Objects);
        Assert.Contains(defaults, o => o.VisibleFraction < 0.9);
    }

    [Fact]
    public void ObjectSizeAndCountFollowTheOptions()
    {
        var options = fixture.Options with { Images = 300, ImageSize = 320, MinObjectSize = 0.3, MaxObjectSize = 0.5, MaxObjects = 2 };
        var scenes = Enumerable.Range(0, 40).Select(i => SyntheticSceneGenerator.Render(options, i)).ToList();
        Assert.All(scenes, s => Assert.InRange(s.Objects.Count, 1, 2));
        Assert.Contains(scenes, s => s.Objects.Count == 2);
        // A shape's visible box is at most its circumscribed diameter (0.5 · 320 px), stretched by up to 1.25, on
        // either side; and the sizes are far above the defaults' (0.05 to 0.4).
        var objects = scenes.SelectMany(s => s.Objects).ToList();
        Assert.All(objects, o => Assert.True(Math.Max(o.X2 - o.X1, o.Y2 - o.Y1) <= 1.25 * 0.5 * 320 + 1, $"{o.X2 - o.X1}x{o.Y2 - o.Y1}"));
        var defaults = Enumerable.Range(0, 40).SelectMany(i => SyntheticSceneGenerator.Render(fixture.Options with { Images = 300, ImageSize = 320 }, i).Objects).ToList();
        Assert.True(objects.Average(o => (double)o.Pixels) > 3 * defaults.Average(o => (double)o.Pixels));
    }

    [Fact]
    public void TheSameSeedAndIndexGiveTheSameSceneAndOtherSeedsOrIndicesDiffer()
    {
        var options = fixture.Options;
        var scene = SyntheticSceneGenerator.Render(options, 3);
        Assert.Equal(scene.Bgr, SyntheticSceneGenerator.Render(options, 3).Bgr);
        Assert.NotEqual(scene.Bgr, SyntheticSceneGenerator.Render(options, 4).Bgr);
        Assert.NotEqual(scene.Bgr, SyntheticSceneGenerator.Render(options with { Seed = 8 }, 3).Bgr);
    }

    private static byte[] Decode(string path)
    {
        using var image = YoloImageLoader.Decode(path)!;
        var bytes = new byte[image.Rows * image.Cols * 3];
        Marshal.Copy(image.Data, bytes, 0, bytes.Length);
        return bytes;
    }

    /// <summary>A label row as (class, x1, y1, x2, y2) in pixels of the fixture's image size.</summary>
    private (int, double, double, double, double) ParseRow(string row)
    {
        var v = row.Split(' ').Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var s = fixture.Options.ImageSize;
        return ((int)v[0], (v[1] - v[3] / 2) * s, (v[2] - v[4] / 2) * s, (v[1] + v[3] / 2) * s, (v[2] + v[4] / 2) * s);
    }
}
