using TorchSharp;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>
/// nn.LeakyReLU(negative_slope). TorchSharp's own module turns the slope into a temporary Scalar on every call and
/// hands libtorch only its native handle; nothing keeps the temporary alive, so the GC can finalize (free) it while
/// leaky_relu still reads it — a test run failed with libtorch's "toFloat: Expected false to be true" on a freed
/// Scalar. This module keeps one Scalar for its whole life.
/// </summary>
public sealed class LeakyRelu : nn.Module<Tensor, Tensor>
{
    private readonly Scalar slope;

    public LeakyRelu(double negativeSlope) : base("LeakyReLU")
    {
        NegativeSlope = negativeSlope;
        slope = negativeSlope;
    }

    public double NegativeSlope { get; }

    public override Tensor forward(Tensor x) => x.leaky_relu(slope);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            slope.Dispose();
        base.Dispose(disposing);
    }
}
