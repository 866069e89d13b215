using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>
/// One entry of the paper's conv-layer list: a Conv, a RepConv (two branches that prune together) or a detection-head
/// conv (a consumer only). The pruner and the criteria talk to layers only through this interface.
/// </summary>
public interface IConvUnit
{
    long OutChannels { get; }
    long InChannels { get; }

    /// <summary>The convolution weights whose filters are this unit's output channels (both RepConv branches).</summary>
    IReadOnlyList<Tensor> FilterWeights { get; }

    /// <summary>The batch norms after those convolutions; empty once the unit is fused.</summary>
    IReadOnlyList<BatchNorm2d> Norms { get; }

    /// <summary>Keeps only the given output channels (filters), in the given order.</summary>
    void KeepOutputs(Tensor keep);

    /// <summary>Keeps only the given input channels, in the given order.</summary>
    void KeepInputs(Tensor keep);

    /// <summary>Multiply-accumulates per output pixel: out·in/groups·k·k summed over the unit's convolutions.</summary>
    long MacsPerPixel { get; }

    /// <summary>Parameters of the unit as it is now (convs, biases, batch norms).</summary>
    long ParameterCount { get; }

    /// <summary>Parameters the unit has once fused (one conv with bias per output).</summary>
    long FusedParameterCount { get; }

    /// <summary>Whether an ImplicitA adds a learned bias to this unit's input (IDetect head convs).</summary>
    bool HasInputImplicit => false;

    /// <summary>Spatial stride of the unit (output pixels = input pixels / stride²).</summary>
    int Stride { get; }

    /// <summary>
    /// Optional 0/1 multiplier over the unit's output channels (or, for a head conv, over its input after ImplicitA),
    /// used to evaluate "this layer pruned" without rebuilding the model. Null = no mask.
    /// </summary>
    ChannelMask? Mask { get; set; }
}
