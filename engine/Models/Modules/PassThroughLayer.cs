using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>
/// A layer that maps each channel to itself (max pools, nearest up-sampling): pruning flows straight through it.
/// The single child is registered as <c>m</c>, as in yolov7's MP and SP.
/// </summary>
public sealed class PassThroughLayer : YoloLayer
{
    private readonly Module<Tensor, Tensor> m;
    private readonly double strideFactor;

    private PassThroughLayer(string name, Module<Tensor, Tensor> m, double strideFactor, long kernel = 0, long padding = 0) : base(name)
    {
        Kind = name;
        this.m = m;
        this.strideFactor = strideFactor;
        Kernel = kernel;
        Padding = padding;
        RegisterComponents();
    }

    /// <summary>yolov7 <c>MP(k)</c>: k×k max pool with stride k.</summary>
    public static PassThroughLayer MP(long k = 2) => new("MP", MaxPool2d(k, k), k, k);

    /// <summary>yolov7 <c>SP(k, s)</c>: k×k max pool, stride s, same padding.</summary>
    public static PassThroughLayer SP(long k = 3, long s = 1) => new("SP", new SeparableMaxPool2d(k, s, k / 2), s, k, k / 2);

    /// <summary><c>nn.Upsample(None, scale, 'nearest')</c>.</summary>
    public static PassThroughLayer Upsample(double scale) =>
        new("Upsample", nn.Upsample(scale_factor: [scale, scale], mode: UpsampleMode.Nearest), 1 / scale, 0);

    /// <summary>MP, SP or Upsample.</summary>
    internal string Kind { get; }

    /// <summary>The max pool's kernel size (MP, SP); its stride is <see cref="StrideFactor"/>. 0 for Upsample, whose scale is 1 / <see cref="StrideFactor"/>.</summary>
    public long Kernel { get; }

    /// <summary>The max pool's padding (SP: k/2); 0 for MP and Upsample.</summary>
    public long Padding { get; }

    public override Tensor forward(IReadOnlyList<Tensor> inputs) => m.forward(inputs[0]);

    public override ChannelSources Trace(IReadOnlyList<ChannelSources> inputs, ITraceContext context) => inputs[0];

    public override double StrideFactor => strideFactor;
}
