using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using PruneCluster.Tests.Support;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Models;

public class GoldenOutputTests
{
    [Theory]
    [InlineData("yolov7-tiny")]
    [InlineData("yolov7")]
    public void OfficialCheckpointReproducesTheReferenceOutput(string arch)
    {
        var golden = Golden.Json($"{arch}_golden.json");
        using var loaded = ModelFile.Load(SharedData.Golden(golden.GetProperty("checkpoint").GetString()!));
        using var input = Golden.Npy(golden.GetProperty("input").GetString()!);
        using var expected = Golden.Npy(golden.GetProperty("output").GetString()!);
        using var _ = no_grad();

        using var output = loaded.Model.forward(input);

        Golden.AssertDetectionsClose(expected, output);
        Assert.Equal(golden.GetProperty("params_unfused").GetInt64(), loaded.Model.ParameterCount);
        Assert.Equal(golden.GetProperty("conv_layer_out_channels").EnumerateArray().Select(e => e.GetInt64()),
            loaded.Model.ConvLayers.Select(l => l.Unit.OutChannels));
    }

    [Theory]
    [InlineData("yolov7-tiny")]
    [InlineData("yolov7")]
    public void FusedModelReproducesTheReferenceFusedOutputAndParameterCount(string arch)
    {
        var golden = Golden.Json($"{arch}_golden.json");
        using var loaded = ModelFile.Load(SharedData.Golden(golden.GetProperty("checkpoint").GetString()!));
        using var input = Golden.Npy(golden.GetProperty("input").GetString()!);
        using var expected = Golden.Npy(golden.GetProperty("fused_output").GetString()!);
        var predicted = ModelMeasure.Measure(loaded.Model, 640).ParamsFused;
        using var _ = no_grad();

        loaded.Model.Fuse();
        using var output = loaded.Model.forward(input);

        Golden.AssertDetectionsClose(expected, output);
        Assert.Equal(golden.GetProperty("params_fused").GetInt64(), loaded.Model.ParameterCount);
        Assert.Equal(loaded.Model.ParameterCount, predicted);
    }

    [Theory]
    [InlineData("yolov7", 36_907_898L, 104.51)]
    [InlineData("yolov7-tiny", 6_221_370L, 13.70)]
    public void FusedParamsAndGflopsAt640MatchThePapersFigures(string cfg, long paramsFused, double gflops)
    {
        using var model = ModelBuilder.Build(YoloCfg.Resolve(cfg));
        var stats = ModelMeasure.Measure(model, 640);
        Assert.Equal(paramsFused, stats.ParamsFused);
        Assert.Equal(gflops, Math.Round(stats.Gflops, 2));
    }
}
