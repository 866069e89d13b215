using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>
/// <c>BatchNorm2d.forward</c> without TorchSharp's temporary Scalars. TorchSharp's own forward counts the batch with
/// <c>num_batches_tracked.add_(1)</c>, which makes two Scalars that nothing keeps alive: the GC may finalize (free)
/// them while libtorch still reads them. A training run on a loaded 2-core machine died there with libtorch's
/// "toLong: Expected false to be true" (the same fault <see cref="LeakyRelu"/> avoids). Same arithmetic as PyTorch:
/// count the batch in training, then batch_norm with the module's momentum (a cumulative average when it is null).
/// </summary>
public static class BatchNormForward
{
    // Read-only constant shared by every thread; a static root, so the GC never finalizes it.
    private static readonly Scalar One = 1L.ToScalar();

    public static Tensor Apply(BatchNorm2d bn, Tensor x)
    {
        var momentum = bn.momentum ?? 0.0;
        if (bn.training && bn.track_running_stats && bn.num_batches_tracked is { } count)
        {
            count.add_(One, One);
            if (bn.momentum is null)
                momentum = 1.0 / count.item<long>();
        }
        var useBatchStats = bn.training || bn.running_mean is null || bn.running_var is null;
        var tracked = !bn.training || bn.track_running_stats;
        return nn.functional.batch_norm(x, tracked ? bn.running_mean : null, tracked ? bn.running_var : null,
            bn.weight, bn.bias, useBatchStats, momentum, bn.eps);
    }
}
