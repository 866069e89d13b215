using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>
/// yolov7 <c>SPPCSPC</c>: seven convs around a 5/9/13 max-pool pyramid. cv4's output is read four times by cv5
/// (itself and its three pooled copies), which the graph records as four slices.
/// </summary>
public sealed class SPPCSPC : YoloLayer
{
    private readonly Conv cv1, cv2, cv3, cv4, cv5, cv6, cv7;
    private readonly ModuleList<Module<Tensor, Tensor>> m;

    public SPPCSPC(long c1, long c2, Func<string, long, long> outChannels, Func<Module<Tensor, Tensor>> act, bool fused) : base(nameof(SPPCSPC))
    {
        var c = (long)(2 * c2 * 0.5);
        var o1 = outChannels("cv1", c);
        var o2 = outChannels("cv2", c);
        var o3 = outChannels("cv3", c);
        var o4 = outChannels("cv4", c);
        var o5 = outChannels("cv5", c);
        var o6 = outChannels("cv6", c);
        var o7 = outChannels("cv7", c2);
        cv1 = new Conv(c1, o1, 1, 1, null, 1, act(), fused);
        cv2 = new Conv(c1, o2, 1, 1, null, 1, act(), fused);
        cv3 = new Conv(o1, o3, 3, 1, null, 1, act(), fused);
        cv4 = new Conv(o3, o4, 1, 1, null, 1, act(), fused);
        m = new ModuleList<Module<Tensor, Tensor>>(PoolSizes.Select(k => (Module<Tensor, Tensor>)new SeparableMaxPool2d(k, 1, k / 2)).ToArray());
        cv5 = new Conv(4 * o4, o5, 1, 1, null, 1, act(), fused);
        cv6 = new Conv(o5, o6, 3, 1, null, 1, act(), fused);
        cv7 = new Conv(o6 + o2, o7, 1, 1, null, 1, act(), fused);
        RegisterComponents();
    }

    /// <summary>The stride-1, same-padded max pools of the pyramid, applied to cv4's output.</summary>
    internal static readonly long[] PoolSizes = [5, 9, 13];

    public override Tensor forward(IReadOnlyList<Tensor> inputs)
    {
        using var scope = NewDisposeScope();
        var x = inputs[0];
        var x1 = cv4.Apply(cv3.Apply(cv1.Apply(x)));
        var pyramid = new List<Tensor> { x1 };
        pyramid.AddRange(m.Select(pool => pool.call(x1)));
        var y1 = cv6.Apply(cv5.Apply(cat(pyramid, 1)));
        var y2 = cv2.Apply(x);
        return cv7.Apply(cat([y1, y2], 1)).MoveToOuterDisposeScope();
    }

    public override IEnumerable<(string Path, IConvUnit Unit)> ConvUnits =>
        [("cv1", cv1), ("cv2", cv2), ("cv3", cv3), ("cv4", cv4), ("cv5", cv5), ("cv6", cv6), ("cv7", cv7)];

    public override ChannelSources Trace(IReadOnlyList<ChannelSources> inputs, ITraceContext context)
    {
        ChannelSources Through(Conv conv, ChannelSources input)
        {
            context.Consume(conv, input);
            return ChannelSources.Of(context.IndexOf(conv));
        }
        var x1 = Through(cv4, Through(cv3, Through(cv1, inputs[0])));
        var y1 = Through(cv6, Through(cv5, x1.Repeat(4)));
        var y2 = Through(cv2, inputs[0]);
        return Through(cv7, ChannelSources.Concat([y1, y2]));
    }

    public void Fuse()
    {
        foreach (var (_, unit) in ConvUnits)
            ((Conv)unit).Fuse();
    }
}
