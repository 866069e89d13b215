using static TorchSharp.torch;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>
/// A [1, C, 1, 1] 0/1 tensor multiplied into a layer's output. Held in a plain class rather than a Tensor field because
/// TorchSharp registers every Tensor field of a Module as a buffer (and would save it into the state_dict).
/// </summary>
public sealed class ChannelMask(Tensor multiplier) : IDisposable
{
    public Tensor Multiplier { get; } = multiplier;

    public static ChannelMask Zeroing(long channels, IEnumerable<long> removed, Device device)
    {
        using var indices = tensor(removed.ToArray(), device: device);
        var m = ones(1, channels, 1, 1, device: device).index_fill_(1, indices, 0f);
        return new ChannelMask(m.DetachFromDisposeScope());
    }

    public Tensor Apply(Tensor x) => x.mul(Multiplier);

    /// <summary>x itself when there is no mask, else x with the masked channels zeroed.</summary>
    public static Tensor ApplyOptional(ChannelMask? mask, Tensor x) => mask == null ? x : mask.Apply(x);

    public void Dispose() => Multiplier.Dispose();
}
