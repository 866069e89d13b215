using PruneCluster.Engine.Models;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Models;

public class ModelBuilderTests
{
    public static TheoryData<string, string> ReferenceArchitectures => new()
    {
        { "yolov7", "training_yolov7" },
        { "yolov7-tiny", "training_yolov7-tiny" },
        { "deploy/yolov7", "deploy_yolov7" },
        { "deploy/yolov7-tiny", "deploy_yolov7-tiny" },
    };

    [Theory]
    [MemberData(nameof(ReferenceArchitectures))]
    public void BuiltModelHasTheOfficialStateDictKeysAndShapes(string cfg, string reference)
    {
        using var model = ModelBuilder.Build(YoloCfg.Resolve(cfg));
        Assert.Equal(ReferenceKeys.Read(reference), ReferenceKeys.Of(model));
    }

    [Theory]
    [MemberData(nameof(ReferenceArchitectures))]
    public void FusedModelHasTheOfficialFusedStateDictKeysAndShapes(string cfg, string reference)
    {
        using var model = ModelBuilder.Build(YoloCfg.Resolve(cfg)).Fuse();
        Assert.Equal(ReferenceKeys.Read(reference + "_fused"), ReferenceKeys.Of(model));
    }

    [Theory]
    [InlineData("yolov7", 37_622_682L)]
    [InlineData("deploy/yolov7", 37_620_125L)]
    [InlineData("yolov7-tiny", 6_228_762L)]
    [InlineData("deploy/yolov7-tiny", 6_227_101L)]
    public void ParameterCountMatchesTheReferenceLayerTables(string cfg, long expected)
    {
        using var model = ModelBuilder.Build(YoloCfg.Resolve(cfg));
        Assert.Equal(expected, model.ParameterCount);
    }

    [Theory]
    [InlineData("yolov7", 89)]
    [InlineData("yolov7-tiny", 55)]
    public void ConvLayerListCountsPrunableLayersAndThreeHeadConvs(string cfg, int prunable)
    {
        using var model = ModelBuilder.Build(YoloCfg.Resolve(cfg));
        Assert.Equal(prunable, model.PrunableLayers.Count);
        Assert.Equal(prunable + 3, model.ConvLayers.Count);
        Assert.All(model.ConvLayers.Skip(prunable), l => Assert.True(l.IsHead));
    }

    [Fact]
    public void InferenceLeavesOutOnlyTheAuxiliaryBranchAndGivesTheSameOutput()
    {
        using var w6 = ModelBuilder.Build(YoloCfg.Resolve("yolov7-w6"));
        using var v7 = ModelBuilder.Build(YoloCfg.Resolve("yolov7"));
        // yolov7-w6's IAuxDetect reads rows 114-117 (main levels) and 118-121 (auxiliary convs, training only).
        Assert.Equal([118, 119, 120, 121], Enumerable.Range(0, w6.InferenceRows.Count).Where(r => !w6.InferenceRows[r]));
        Assert.All(v7.InferenceRows, Assert.True);

        w6.eval();
        using var _ = TorchSharp.torch.no_grad();
        using var x = TorchSharp.torch.rand(1, 3, 128, 128);
        using var inference = w6.forward(x);
        var raw = w6.ForwardRaw(x, includeAux: true);
        using var everyRow = w6.Head.Decode(raw.Take(w6.Head.Levels).ToList());
        Assert.Equal(8, raw.Length);
        Assert.Equal(everyRow.shape, inference.shape);
        Assert.True(inference.allclose(everyRow, rtol: 0, atol: 0));
    }

    [Theory]
    [InlineData("yolov7x")]
    [InlineData("deploy/yolov7-tiny-silu")]
    [InlineData("yolov7-w6")]
    [InlineData("yolov7-e6")]
    [InlineData("yolov7-d6")]
    [InlineData("yolov7-e6e")]
    public void OtherBuiltInArchitecturesBuildAndRunForward(string cfg)
    {
        using var model = ModelBuilder.Build(YoloCfg.Resolve(cfg));
        model.eval();
        using var _ = TorchSharp.torch.no_grad();
        using var x = TorchSharp.torch.rand(1, 3, 128, 128);
        using var y = model.forward(x);
        var cells = model.Head.Strides.Sum(s => (128 / (long)s) * (128 / (long)s));
        Assert.Equal(new long[] { 1, cells * model.Head.AnchorsPerLevel, model.Nc + 5 }, y.shape);
    }
}
