using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>Conv + BatchNorm folding as in yolov7's fuse_conv_and_bn and RepConv.fuse_conv_bn.</summary>
internal static class ConvBnFolding
{
    public static (Tensor Weight, Tensor Bias) Fold(Tensor weight, Tensor? bias, BatchNorm2d bn)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var std = (bn.running_var! + bn.eps).sqrt();
        var scale = bn.weight!.div(std);
        var w = weight * scale.reshape(-1, 1, 1, 1);
        var b0 = bias ?? zeros(weight.shape[0], device: weight.device);
        var b = b0 * scale + bn.bias! - bn.weight!.mul(bn.running_mean!).div(std);
        return (w.contiguous().MoveToOuterDisposeScope(), b.contiguous().MoveToOuterDisposeScope());
    }
}
