using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>yolov7 P6 <c>DownC</c>: a strided conv path and a max-pool + 1×1 conv path, concatenated.</summary>
public sealed class DownC : YoloLayer
{
    private readonly Conv cv1, cv2, cv3;
    private readonly Module<Tensor, Tensor> mp;
    private readonly long k;

    public DownC(long c1, long c2, long k, Func<string, long, long> outChannels, Func<Module<Tensor, Tensor>> act, bool fused) : base(nameof(DownC))
    {
        this.k = k;
        var o1 = outChannels("cv1", c1);
        cv1 = new Conv(c1, o1, 1, 1, null, 1, act(), fused);
        cv2 = new Conv(o1, outChannels("cv2", c2 / 2), 3, k, null, 1, act(), fused);
        cv3 = new Conv(c1, outChannels("cv3", c2 / 2), 1, 1, null, 1, act(), fused);
        mp = MaxPool2d(k, k);
        RegisterComponents();
    }

    public override Tensor forward(IReadOnlyList<Tensor> inputs)
    {
        using var scope = NewDisposeScope();
        var x = inputs[0];
        return cat([cv2.Apply(cv1.Apply(x)), cv3.Apply(mp.call(x))], 1).MoveToOuterDisposeScope();
    }

    public override IEnumerable<(string Path, IConvUnit Unit)> ConvUnits => [("cv1", cv1), ("cv2", cv2), ("cv3", cv3)];

    public override ChannelSources Trace(IReadOnlyList<ChannelSources> inputs, ITraceContext context)
    {
        context.Consume(cv1, inputs[0]);
        context.Consume(cv2, ChannelSources.Of(context.IndexOf(cv1)));
        context.Consume(cv3, inputs[0]);
        return new ChannelSources([context.IndexOf(cv2), context.IndexOf(cv3)]);
    }

    public override double StrideFactor => k;

    /// <summary>Size and stride of the max pool in front of cv3.</summary>
    internal long PoolSize => k;

    public void Fuse()
    {
        foreach (var (_, unit) in ConvUnits)
            ((Conv)unit).Fuse();
    }
}
