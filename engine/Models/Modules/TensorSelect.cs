using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>Channel selection on parameters and batch norms; the building block of every pruner.</summary>
internal static class TensorSelect
{
    public static Parameter Select(Tensor t, long dim, Tensor keep) => new(Selected(t, dim, keep), t.requires_grad);

    public static void KeepChannels(BatchNorm2d bn, Tensor keep)
    {
        bn.weight = Select(bn.weight!, 0, keep);
        bn.bias = Select(bn.bias!, 0, keep);
        bn.running_mean = Selected(bn.running_mean!, 0, keep);
        bn.running_var = Selected(bn.running_var!, 0, keep);
    }

    // The chain's temporaries belong to a scope: TorchSharp hands native calls only handles, so an unowned temporary
    // can be finalized (freed) by the GC while the next call in the chain still reads it. Indexing (aten::index)
    // rather than index_select: the same values, and libtorch has a meta kernel for it, so the device test can prune
    // a model whose tensors live on the meta device. The index moves to the tensor's device wherever it was made.
    private static Tensor Selected(Tensor t, long dim, Tensor keep)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var at = Enumerable.Repeat(TensorIndex.Colon, (int)dim).Append(TensorIndex.Tensor(keep.to(t.device))).ToArray();
        return t[at].contiguous().detach().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A Conv2d like <paramref name="conv"/> but with the given weight (and bias). TorchSharp's Conv2d checks inputs
    /// against its get-only in_channels, so a conv whose channels change is rebuilt rather than patched.
    /// </summary>
    public static Conv2d Rebuild(Conv2d conv, Tensor weight, Tensor? bias)
    {
        var rebuilt = nn.Conv2d(weight.shape[1] * conv.groups, weight.shape[0], (conv.kernel_size[0], conv.kernel_size[1]),
            stride: (conv.stride[0], conv.stride[1]), padding: (conv.padding![0], conv.padding[1]),
            dilation: (conv.dilation[0], conv.dilation[1]), groups: conv.groups, bias: bias is not null, device: weight.device);
        rebuilt.weight = weight as Parameter ?? new Parameter(weight, conv.weight!.requires_grad);
        if (bias is not null)
            rebuilt.bias = bias as Parameter ?? new Parameter(bias, conv.weight!.requires_grad);
        rebuilt.train(conv.training);
        return rebuilt;
    }

    /// <summary>The conv with only the given filters (dim 0) or input channels (dim 1) kept.</summary>
    public static Conv2d Keep(Conv2d conv, long dim, Tensor keep)
    {
        var weight = Select(conv.weight!, dim, keep);
        // The old conv is disposed after the swap, so an untouched bias is copied rather than shared.
        var bias = conv.bias is null ? null : dim == 0 ? Select(conv.bias, 0, keep) : new Parameter(conv.bias.detach().clone(), conv.bias.requires_grad);
        return Rebuild(conv, weight, bias);
    }

    public static long Macs(Conv2d conv)
    {
        var w = conv.weight!.shape;
        return w[0] * w[1] * w[2] * w[3];
    }
}
