using PruneCluster.Engine.Plots;
using PruneCluster.Engine.Selection;
using PruneCluster.Engine.Sensitivity;
using SkiaSharp;
using Xunit;

namespace PruneCluster.Tests.Selection;

public sealed class SensitivityPlotsTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void FiguresWithASelectionAreNonEmptyPngFiles()
    {
        using var folder = new TempFolder();
        var table = new SensitivityStore(GoldenSensitivity.Dir).Load();
        var selection = LayerSelector.Select(table, new LayerSelectionOptions(6219098, 13.2));
        var paths = SensitivityPlots.Write(folder.Path, table, selection);
        Assert.Equal(SensitivityPlots.FileNames, paths.Select(Path.GetFileName));
        Assert.All(paths, AssertPng);
    }

    [Fact]
    public void FiguresWithoutASelectionAreStillWritten()
    {
        using var folder = new TempFolder();
        var table = new SensitivityStore(GoldenSensitivity.Dir).Load();
        var paths = SensitivityPlots.Write(Path.Combine(folder.Path, "figures"), table, selection: null, baseline: new PruneCluster.Engine.Sensitivity.SensitivityBaseline(0.5, 0.5, 0.6, 0.4, 6_000_000, 5_990_000, 13.0));
        Assert.Equal(SensitivityPlots.FileNames.Count, paths.Count);
        Assert.All(paths, AssertPng);
    }

    private static void AssertPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1024, $"{path} has only {bytes.Length} bytes");
        Assert.Equal(PngSignature, bytes.Take(PngSignature.Length));
        // A figure whose layout failed is written as one flat colour: demand a real picture.
        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        var colours = new HashSet<SKColor>();
        for (var y = 0; y < bitmap.Height; y += 4)
        {
            for (var x = 0; x < bitmap.Width; x += 4)
                colours.Add(bitmap.GetPixel(x, y));
        }
        Assert.True(colours.Count > 20, $"{path} shows only {colours.Count} colours");
    }
}
