using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>YOLOv7 <c>Conv</c>: conv (no bias) → BatchNorm → activation; after <see cref="Fuse"/>, conv (with bias) → activation.</summary>
public sealed class Conv : YoloLayer, IConvUnit
{
    // Field names mirror the PyTorch state_dict keys (model.N.conv.weight, model.N.bn.running_mean, ...).
    private Conv2d conv;
    private BatchNorm2d? bn;
    private readonly Module<Tensor, Tensor> act;
    private readonly int stride;

    public Conv(long c1, long c2, long k, long s, long? p, long g, Module<Tensor, Tensor> act, bool fused = false) : base(nameof(Conv))
    {
        stride = (int)s;
        conv = Conv2d(c1, c2, k, stride: s, padding: p ?? k / 2, groups: g, bias: fused);
        bn = fused ? null : BatchNorm2d(c2, eps: 1e-3, momentum: 0.03);
        this.act = act;
        RegisterComponents();
    }

    public ChannelMask? Mask { get; set; }

    public bool IsFused => bn == null;

    /// <summary>The convolution and the activation after it, for exporters.</summary>
    internal Conv2d Convolution => conv;
    internal Module<Tensor, Tensor> Act => act;

    public override Tensor forward(IReadOnlyList<Tensor> inputs) => Apply(inputs[0]);

    /// <summary>Single-tensor forward, used when this conv sits inside a composite block.</summary>
    public Tensor Apply(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = conv.call(x);
        if (bn != null)
            y = BatchNormForward.Apply(bn, y);
        return ChannelMask.ApplyOptional(Mask, act.call(y)).MoveToOuterDisposeScope();
    }

    public override ChannelSources Trace(IReadOnlyList<ChannelSources> inputs, ITraceContext context)
    {
        context.Consume(this, inputs[0]);
        return ChannelSources.Of(context.IndexOf(this));
    }

    public override IEnumerable<(string Path, IConvUnit Unit)> ConvUnits => [("", this)];

    public override double StrideFactor => stride;

    public long OutChannels => conv.weight!.shape[0];
    public long InChannels => conv.weight!.shape[1] * conv.groups;
    public IReadOnlyList<Tensor> FilterWeights => [conv.weight!];
    public IReadOnlyList<BatchNorm2d> Norms => bn == null ? [] : [bn];
    public long MacsPerPixel => TensorSelect.Macs(conv);
    public int Stride => stride;
    public long ParameterCount => parameters().Sum(p => p.numel());
    public long FusedParameterCount => conv.weight!.numel() + OutChannels;

    public void KeepOutputs(Tensor keep)
    {
        ReplaceConv(TensorSelect.Keep(conv, 0, keep));
        if (bn != null)
            TensorSelect.KeepChannels(bn, keep);
    }

    public void KeepInputs(Tensor keep)
    {
        if (conv.groups != 1)
            throw new NotSupportedException("pruning the input of a grouped convolution is not supported");
        ReplaceConv(TensorSelect.Keep(conv, 1, keep));
    }

    private void ReplaceConv(Conv2d rebuilt)
    {
        // The indexer keeps the child's position, so the state_dict order stays conv, bn.
        ReplaceChild("conv", rebuilt);
        conv.Dispose();
        conv = rebuilt;
    }

    /// <summary>Folds the batch norm into the convolution (yolov7 utils.torch_utils.fuse_conv_and_bn).</summary>
    public void Fuse()
    {
        if (bn == null)
            return;
        var (w, b) = ConvBnFolding.Fold(conv.weight!, conv.bias, bn);
        conv.weight = new Parameter(w, false);
        conv.bias = new Parameter(b, false);
        // Drop the norm from the registered children so the state_dict matches the fused PyTorch model (no bn.*).
        _internal_submodules.Remove("bn");
        bn.Dispose();
        bn = null;
    }
}
