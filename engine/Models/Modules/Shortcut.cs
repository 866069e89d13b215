using static TorchSharp.torch;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>Residual add of two outputs (yolov7-e6e). Its producers must keep the same channels: the graph couples them.</summary>
public sealed class Shortcut : YoloLayer
{
    public Shortcut() : base(nameof(Shortcut)) => RegisterComponents();

    public override Tensor forward(IReadOnlyList<Tensor> inputs) => inputs[0] + inputs[1];

    public override ChannelSources Trace(IReadOnlyList<ChannelSources> inputs, ITraceContext context)
    {
        context.Couple(inputs[0], inputs[1]);
        return inputs[0];
    }
}
