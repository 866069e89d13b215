using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Models.Modules;
using PruneCluster.Engine.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Models;

/// <summary>
/// Catches tensors made on the CPU that meet model tensors, without a GPU: libtorch raises on a meta/CPU mix exactly
/// where a CUDA model would raise on a CUDA/CPU mix. The model's parameters and buffers live on <c>meta</c> while it
/// is pruned (an explicit plan, as campaigns replay them), fused, pruned again after fusing and decoded.
/// libtorch has no meta kernel for convolution and batch norm outside Python, so conv forwards (and anything that
/// reads values, such as importance ranking) cannot run here; the README says what stays untested.
/// </summary>
public class MetaDeviceTests
{
    private static readonly Device Meta = new("meta");

    // A RepConv with its identity branch (in = out, stride 1), which no yolov7 cfg has but fusing must handle.
    private const string IdentityRepConvCfg = """
        nc: 2
        depth_multiple: 1.0
        width_multiple: 1.0
        anchors:
          - [10,13, 16,30, 33,23]
          - [30,61, 62,45, 59,119]
        backbone:
          - [-1, 1, Conv, [16, 3, 2]]
          - [-1, 1, RepConv, [16, 3, 1]]
          - [-1, 1, Conv, [32, 3, 2]]
          - [-1, 1, RepConv, [64, 3, 2]]
        head:
          - [[2, 3], 1, IDetect, [nc, anchors]]
        """;

    [Theory]
    [InlineData("yolov7-tiny")]
    [InlineData("yolov7")]
    [InlineData("identity-repconv")]
    public void PruningAndFusingAModelOnTheMetaDeviceMixesNoDevices(string cfgName)
    {
        var cfg = cfgName == "identity-repconv" ? YoloCfg.FromDictionary(CfgValue.FromYaml(IdentityRepConvCfg, cfgName), cfgName) : YoloCfg.Resolve(cfgName);
        using var reference = ModelBuilder.Build(cfg);
        reference.eval();
        var plan = Pruner.Prune(ConnectivityGraph.Build(reference), SomeLayersAndTheLastFour(reference), new FilterImportance(Criterion.SmallestL1));
        reference.Fuse();
        var expected = StateDict.Ordered(reference).ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.NotEmpty(plan.Steps);

        foreach (var fuseFirst in new[] { false, true })
        {
            using var model = ModelBuilder.Build(cfg);
            model.eval();
            model.to(Meta);

            if (fuseFirst)
                model.Fuse();
            Pruner.Apply(ConnectivityGraph.Build(model), plan);
            if (!fuseFirst)
                model.Fuse();

            var actual = StateDict.Ordered(model);
            Assert.Equal(expected.Keys.Order(), actual.Select(kv => kv.Key).Order());
            Assert.All(actual, kv =>
            {
                Assert.Equal(DeviceType.META, kv.Value.device_type);
                Assert.Equal(expected[kv.Key], kv.Value.shape);
            });
            AssertDecodesOnMeta(model.Head);
        }
    }

    [Fact]
    public void ChannelMasksAreMadeOnTheModelsDevice()
    {
        using var mask = ChannelMask.Zeroing(8, [1, 5], Meta);
        using var x = zeros(1, 8, 4, 4, device: Meta);
        using var y = mask.Apply(x);

        Assert.Equal(DeviceType.META, y.device_type);
    }

    // The first layer, one in the middle, and the last four: in yolov7 those are RepConvs and convs feeding the head
    // (whose pruning after fusing rewrites the folded implicit bias); in the identity cfg the two layers outside the
    // identity RepConv's group (which this pruner does not split).
    private static IReadOnlyList<LayerRate> SomeLayersAndTheLastFour(YoloModel model)
    {
        var n = model.PrunableLayers.Count;
        var layers = n < 6 ? [n - 2, n - 1] : new[] { 0, n / 2, n - 4, n - 3, n - 2, n - 1 };
        return layers.Select(l => new LayerRate(l, 0.25)).ToList();
    }

    // The decode makes its grid per call; it must be made where the raw output lives.
    private static void AssertDecodesOnMeta(DetectHead head)
    {
        for (var level = 0; level < head.Levels; level++)
        {
            using var scope = NewDisposeScope();
            var raw = zeros([1, head.AnchorsPerLevel, 4, 5, head.Outputs], device: Meta);
            var decoded = head.DecodeLevel(level, raw);
            Assert.Equal(DeviceType.META, decoded.device_type);
            Assert.Equal([1L, head.AnchorsPerLevel * 20, head.Outputs], decoded.shape);
        }
    }
}
