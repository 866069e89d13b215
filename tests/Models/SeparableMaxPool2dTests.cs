using PruneCluster.Engine.Models.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Models;

/// <summary>
/// SPP's stride-1 pools computed from element-wise maxima must equal libtorch's max pool value for value (float.Equals:
/// a NaN equals a NaN and -0 equals +0, the two places where the bits may differ; see SeparableMaxPool2d).
/// </summary>
public sealed class SeparableMaxPool2dTests
{
    [Theory]
    [InlineData(3, 7, 9)]
    [InlineData(5, 10, 10)]
    [InlineData(9, 10, 10)]
    [InlineData(13, 10, 10)]
    [InlineData(13, 4, 6)]      // window larger than the map
    [InlineData(5, 1, 1)]
    public void StrideOnePoolEqualsTorchMaxPoolIncludingInfinitiesAndNaN(long kernel, long height, long width)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(kernel * 1000 + height * 10 + width));
        var x = randn(2, 3, height, width, generator: generator);
        // Ties, -inf, +inf and NaN at fixed places: the pooling kernel propagates NaN and keeps infinities.
        x[0, 0] = x[0, 0].round();
        x[0, 1, 0, 0] = double.NegativeInfinity;
        x[1, 0, height - 1, width - 1] = double.PositiveInfinity;
        x[1, 2, height / 2, width / 2] = double.NaN;

        var expected = nn.MaxPool2d(kernel, 1, kernel / 2).call(x);
        var actual = new SeparableMaxPool2d(kernel, 1, kernel / 2).call(x);

        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
    }

    [Fact]
    public void OtherStridesFallBackToTorchMaxPool()
    {
        using var scope = NewDisposeScope();
        var x = randn(1, 2, 9, 9, generator: new Generator(7));

        var expected = nn.MaxPool2d(3, 2, 1).call(x);
        var actual = new SeparableMaxPool2d(3, 2, 1).call(x);

        Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
    }
}
