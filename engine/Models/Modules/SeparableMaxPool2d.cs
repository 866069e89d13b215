using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>
/// <c>nn.MaxPool2d(k, 1, k // 2)</c> (SPP's stride-1 pools) computed from element-wise maxima: the input padded
/// with -inf, a sliding maximum along rows, then along columns, each built by doubling the window (1, 2, 4, 8, …)
/// and one last overlapping step. A window's maximum is the maximum of any sub-windows that cover it, and max rounds
/// nothing and propagates NaN like the pooling kernel, so every value is equal; only the sign of a zero (a window
/// holding both -0 and +0) and a NaN's payload may differ, which no later conv-with-bias can turn into another
/// number. libtorch's CPU max pool
/// computes indices for every output and took about a sixth of yolov7-tiny's forward time in SPP's 5, 9 and 13
/// pools; this is log2(k) vectorised passes per direction instead. Other strides use <c>nn.MaxPool2d</c>.
/// </summary>
public sealed class SeparableMaxPool2d : Module<Tensor, Tensor>
{
    private readonly long kernel;
    private readonly Module<Tensor, Tensor>? strided;

    public SeparableMaxPool2d(long kernel, long stride, long padding) : base("MaxPool2d")
    {
        this.kernel = kernel;
        Stride = stride;
        Padding = padding;
        if (stride != 1 || padding != kernel / 2 || kernel % 2 == 0)
            strided = MaxPool2d(kernel, stride, padding);
        RegisterComponents();
    }

    /// <summary>nn.MaxPool2d's kernel_size, stride and padding (how a checkpoint describes this pool).</summary>
    public long Kernel => kernel;
    public long Stride { get; }
    public long Padding { get; }

    public override Tensor forward(Tensor x)
    {
        if (strided != null)
            return strided.call(x);
        using var scope = NewDisposeScope();
        var pad = kernel / 2;
        var padded = functional.pad(x, [pad, pad, pad, pad], PaddingModes.Constant, double.NegativeInfinity);
        return SlidingMax(SlidingMax(padded, 2), 3).MoveToOuterDisposeScope();
    }

    // out[i] = max(x[i .. i + kernel - 1]) along dim; the output is kernel - 1 shorter than the input.
    private Tensor SlidingMax(Tensor x, int dim)
    {
        var length = x.shape[dim];
        var window = 1L;
        while (window * 2 <= kernel)
        {
            var n = length - window;
            x = maximum(x.narrow(dim, 0, n), x.narrow(dim, window, n));
            (length, window) = (n, window * 2);
        }
        var outLength = length - (kernel - window);
        return window == kernel ? x : maximum(x.narrow(dim, 0, outLength), x.narrow(dim, kernel - window, outLength));
    }
}
