using static TorchSharp.torch;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>Space-to-depth (yolov7 P6 stem): four pixel phases concatenated, so every input channel appears four times.</summary>
public sealed class ReOrg : YoloLayer
{
    public ReOrg() : base(nameof(ReOrg)) => RegisterComponents();

    public override Tensor forward(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var even = TensorIndex.Slice(0, null, 2);
        var odd = TensorIndex.Slice(1, null, 2);
        return cat([
            x[TensorIndex.Ellipsis, even, even], x[TensorIndex.Ellipsis, odd, even],
            x[TensorIndex.Ellipsis, even, odd], x[TensorIndex.Ellipsis, odd, odd]], 1);
    }

    public override ChannelSources Trace(IReadOnlyList<ChannelSources> inputs, ITraceContext context) => inputs[0].Repeat(4);

    public override double StrideFactor => 2;
}
