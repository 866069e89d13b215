using PruneCluster.Engine.Data;
using PruneCluster.Engine.Data.Synthetic;

namespace PruneCluster.Tests.Data.Synthetic;

public sealed class SyntheticDatasetOptionsTests
{
    public static TheoryData<SyntheticDatasetOptions, string> BadOptions => new()
    {
        { new() { Images = 1 }, "--images 1" },
        { new() { Classes = 0 }, "--classes 0" },
        { new() { Classes = SyntheticDatasetOptions.MaxClasses + 1 }, "use 1 to 8" },
        { new() { ImageSize = 100 }, "use e.g. 128" },
        { new() { ImageSize = 32 }, "--img 32" },
        { new() { ValFraction = 0 }, "--val-fraction 0" },
        { new() { ValFraction = 1 }, "--val-fraction 1" },
        { new() { ValFraction = double.NaN }, "--val-fraction NaN" },
        { new() { MinObjectSize = 0 }, "--object-size 0,0.4" },
        { new() { MinObjectSize = 0.5, MaxObjectSize = 0.3 }, "--object-size 0.5,0.3" },
        { new() { MaxObjectSize = 1.5 }, "0 < MIN <= MAX <= 1" },
        { new() { MaxObjects = 0 }, "--max-objects 0" },
        { new() { MaxObjects = 65 }, "use 1 to 64" },
        { new() { MinVisible = 0 }, "--min-visible 0" },
        { new() { Kinds = [] }, "name each shape kind once" },
        { new() { Kinds = [ShapeKind.Star, ShapeKind.Star] }, "--kinds star,star" },
        { new() { MinVisible = 1.5 }, "--min-visible 1.5" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void OptionsOutOfRangeAreRejectedWithOneLineNamingTheOption(SyntheticDatasetOptions options, string expected)
    {
        var error = Assert.Throws<DatasetException>(options.Validate);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData(2, 0.2, 1, 1)]
    [InlineData(1000, 0.2, 800, 200)]
    [InlineData(10, 0.99, 1, 9)]
    [InlineData(10, 0.01, 9, 1)]
    public void EverySplitGetsAtLeastOneImage(int images, double valFraction, int train, int val)
    {
        var options = new SyntheticDatasetOptions { Images = images, ValFraction = valFraction };
        Assert.Equal((train, val), (options.TrainImages, options.ValImages));
    }
}
