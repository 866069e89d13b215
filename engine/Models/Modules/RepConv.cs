using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>
/// YOLOv7 <c>RepConv</c> (RepVGG block): a 3×3 conv+BN branch, a 1×1 conv+BN branch and, when in = out and stride 1,
/// an identity BN, summed then activated. The two conv branches share their output channels, so they prune together.
/// After <see cref="Fuse"/> (or in a deploy checkpoint) it is a single 3×3 conv with bias, <c>rbr_reparam</c>.
/// </summary>
public sealed class RepConv : YoloLayer, IConvUnit
{
    private Sequential? rbr_dense;
    private Sequential? rbr_1x1;
    private BatchNorm2d? rbr_identity;
    private Conv2d? rbr_reparam;
    private readonly Module<Tensor, Tensor> act;
    private readonly int stride;

    public RepConv(long c1, long c2, long k, long s, long g, Module<Tensor, Tensor> act, bool fused = false) : base(nameof(RepConv))
    {
        if (k != 3)
            throw new ModelConfigException($"RepConv needs a 3×3 kernel, got {k}");
        stride = (int)s;
        this.act = act;
        if (fused)
        {
            rbr_reparam = Conv2d(c1, c2, 3, stride: s, padding: 1, groups: g, bias: true);
        }
        else
        {
            rbr_identity = c1 == c2 && s == 1 ? BatchNorm2d(c1, eps: 1e-3, momentum: 0.03) : null;
            rbr_dense = Sequential(("0", Conv2d(c1, c2, 3, stride: s, padding: 1, groups: g, bias: false)), ("1", BatchNorm2d(c2, eps: 1e-3, momentum: 0.03)));
            rbr_1x1 = Sequential(("0", Conv2d(c1, c2, 1, stride: s, padding: 0L, groups: g, bias: false)), ("1", BatchNorm2d(c2, eps: 1e-3, momentum: 0.03)));
        }
        RegisterComponents();
    }

    public ChannelMask? Mask { get; set; }

    private static Conv2d ConvOf(Sequential branch) => (Conv2d)branch[0];
    private static BatchNorm2d NormOf(Sequential branch) => (BatchNorm2d)branch[1];

    // conv → norm, with the norm run by BatchNormForward (not Sequential's call of TorchSharp's forward).
    private static Tensor Branch(Sequential branch, Tensor x) => BatchNormForward.Apply(NormOf(branch), ConvOf(branch).call(x));

    private IEnumerable<Conv2d> Convs => rbr_reparam != null ? [rbr_reparam] : [ConvOf(rbr_dense!), ConvOf(rbr_1x1!)];

    public override Tensor forward(IReadOnlyList<Tensor> inputs)
    {
        using var scope = NewDisposeScope();
        var x = inputs[0];
        Tensor y;
        if (rbr_reparam != null)
        {
            y = rbr_reparam.call(x);
        }
        else
        {
            y = Branch(rbr_dense!, x) + Branch(rbr_1x1!, x);
            if (rbr_identity != null)
                y = y + BatchNormForward.Apply(rbr_identity, x);
        }
        return ChannelMask.ApplyOptional(Mask, act.call(y)).MoveToOuterDisposeScope();
    }

    public override ChannelSources Trace(IReadOnlyList<ChannelSources> inputs, ITraceContext context)
    {
        context.Consume(this, inputs[0]);
        var output = ChannelSources.Of(context.IndexOf(this));
        if (rbr_identity != null)
            context.Couple(inputs[0], output);
        return output;
    }

    public override IEnumerable<(string Path, IConvUnit Unit)> ConvUnits => [("", this)];

    public override double StrideFactor => stride;

    public bool IsFused => rbr_reparam != null;

    /// <summary>The re-parameterised 3×3 conv (null before <see cref="Fuse"/>) and the activation, for exporters.</summary>
    internal Conv2d? Reparameterized => rbr_reparam;
    internal Module<Tensor, Tensor> Act => act;
    public long OutChannels => Convs.First().weight!.shape[0];
    public long InChannels => Convs.First().weight!.shape[1] * Convs.First().groups;
    public IReadOnlyList<Tensor> FilterWeights => Convs.Select(c => (Tensor)c.weight!).ToList();
    public IReadOnlyList<BatchNorm2d> Norms => rbr_reparam != null ? [] : [NormOf(rbr_dense!), NormOf(rbr_1x1!)];
    public long MacsPerPixel => Convs.Sum(TensorSelect.Macs);
    public int Stride => stride;
    public long ParameterCount => parameters().Sum(p => p.numel());
    public long FusedParameterCount => OutChannels * (InChannels / Convs.First().groups) * 9 + OutChannels;

    public void KeepOutputs(Tensor keep)
    {
        if (rbr_identity != null)
            throw new NotSupportedException("RepConv with an identity branch ties its outputs to its inputs; prune its producer group instead");
        foreach (var bn in Norms)
            TensorSelect.KeepChannels(bn, keep);
        ReplaceConvs(conv => TensorSelect.Keep(conv, 0, keep));
    }

    public void KeepInputs(Tensor keep)
    {
        if (rbr_identity != null)
            throw new NotSupportedException("RepConv with an identity branch ties its inputs to its outputs; prune its producer group instead");
        ReplaceConvs(conv => TensorSelect.Keep(conv, 1, keep));
    }

    // Branch convs are rebuilt (TorchSharp convs cannot change channels) and re-wrapped with their own batch norms.
    private void ReplaceConvs(Func<Conv2d, Conv2d> rebuild)
    {
        if (rbr_reparam != null)
        {
            var rebuilt = rebuild(rbr_reparam);
            ReplaceChild("rbr_reparam", rebuilt);
            rbr_reparam.Dispose();
            rbr_reparam = rebuilt;
            return;
        }
        rbr_dense = RebuildBranch("rbr_dense", rbr_dense!, rebuild);
        rbr_1x1 = RebuildBranch("rbr_1x1", rbr_1x1!, rebuild);
    }

    private Sequential RebuildBranch(string name, Sequential branch, Func<Conv2d, Conv2d> rebuild)
    {
        var oldConv = ConvOf(branch);
        var rebuilt = Sequential(("0", rebuild(oldConv)), ("1", NormOf(branch)));
        ReplaceChild(name, rebuilt);
        oldConv.Dispose();
        return rebuilt;
    }

    /// <summary>Re-parameterises the branches into one 3×3 conv (yolov7 RepConv.fuse_repvgg_block).</summary>
    public void Fuse()
    {
        if (rbr_reparam != null)
            return;
        using var _ = no_grad();
        var dense = ConvOf(rbr_dense!);
        Tensor weight, bias;
        // Temporaries belong to a scope: TorchSharp hands native calls only handles, so an unowned temporary can be
        // finalized by the GC while a call still reads it.
        using (NewDisposeScope())
        {
            var (w3, b3) = ConvBnFolding.Fold(dense.weight!, null, NormOf(rbr_dense!));
            var (w1, b1) = ConvBnFolding.Fold(ConvOf(rbr_1x1!).weight!, null, NormOf(rbr_1x1!));
            var sumWeight = w3 + functional.pad(w1, [1, 1, 1, 1]);
            var sumBias = b3 + b1;
            if (rbr_identity != null)
            {
                var inPerGroup = dense.weight!.shape[1];
                var identity = zeros(dense.weight!.shape[0], inPerGroup, 3, 3, device: dense.weight!.device);
                for (var i = 0; i < identity.shape[0]; i++)
                    identity[i, i % inPerGroup, 1, 1] = 1f;
                var (wi, bi) = ConvBnFolding.Fold(identity, null, rbr_identity);
                sumWeight += wi;
                sumBias += bi;
            }
            weight = sumWeight.contiguous().DetachFromDisposeScope();
            bias = sumBias.contiguous().DetachFromDisposeScope();
        }
        var reparam = Conv2d(dense.weight!.shape[1] * dense.groups, dense.weight!.shape[0], 3, stride: stride, padding: 1, groups: dense.groups, bias: true,
            device: weight.device);
        reparam.weight = new Parameter(weight, false);
        reparam.bias = new Parameter(bias, false);
        foreach (var name in new[] { "rbr_identity", "rbr_dense", "rbr_1x1" })
            if (_internal_submodules.ContainsKey(name))
                _internal_submodules.Remove(name);
        rbr_dense!.Dispose();
        rbr_1x1!.Dispose();
        rbr_identity?.Dispose();
        rbr_dense = rbr_1x1 = null;
        rbr_identity = null;
        rbr_reparam = reparam;
        register_module("rbr_reparam", reparam);
    }
}
