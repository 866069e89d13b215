using static TorchSharp.torch;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>Channel concatenation of several earlier outputs: the reason this tool exists.</summary>
public sealed class Concat : YoloLayer
{
    public Concat() : base(nameof(Concat)) => RegisterComponents();

    public override Tensor forward(IReadOnlyList<Tensor> inputs) => cat(inputs.ToArray(), 1);

    public override ChannelSources Trace(IReadOnlyList<ChannelSources> inputs, ITraceContext context) => ChannelSources.Concat(inputs);
}
