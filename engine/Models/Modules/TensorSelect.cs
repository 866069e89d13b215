using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>Channel selection on parameters and batch norms; the building block of every pruner.</summary>
internal static class TensorSelect
{
    public static Parameter Select(Tensor t, long dim, Tensor keep)
    {
        using var _ = no_grad();
        var selected = t.index_select(dim, keep.to(t.device)).contiguous().detach();
        return new Parameter(selected, t.requires_grad);
    }

    public static void KeepChannels(BatchNorm2d bn, Tensor keep)
    {
        using var _ = no_grad();
        bn.weight = Select(bn.weight!, 0, keep);
        bn.bias = Select(bn.bias!, 0, keep);
        bn.running_mean = bn.running_mean!.index_select(0, keep.to(bn.running_mean.device)).contiguous().detach();
        bn.running_var = bn.running_var!.index_select(0, keep.to(bn.running_var.device)).contiguous().detach();
    }

    public static long Macs(Conv2d conv)
    {
        var w = conv.weight!.shape;
        return w[0] * w[1] * w[2] * w[3];
    }
}
