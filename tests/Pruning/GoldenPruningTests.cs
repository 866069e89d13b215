using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Tests.Support;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Pruning;

public class GoldenPruningTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Golden.Json("yolov7-tiny_golden.json").GetProperty("prunings").EnumerateArray())
            data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    private static System.Text.Json.JsonElement Case(string name) =>
        Golden.Json("yolov7-tiny_golden.json").GetProperty("prunings").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static IReadOnlyList<long> Longs(System.Text.Json.JsonElement e) =>
        e.ValueKind == System.Text.Json.JsonValueKind.String
            ? System.Text.Json.JsonDocument.Parse(e.GetString()!).RootElement.EnumerateArray().Select(x => x.GetInt64()).ToList()
            : e.EnumerateArray().Select(x => x.GetInt64()).ToList();

    private static long Long(System.Text.Json.JsonElement e) => e.ValueKind == System.Text.Json.JsonValueKind.String ? long.Parse(e.GetString()!) : e.GetInt64();

    [Theory]
    [MemberData(nameof(Cases))]
    public void PruningTheGoldenTinyModelMatchesThePapersResult(string name)
    {
        var golden = Case(name);
        using var loaded = ModelFile.Load(SharedData.Golden("yolov7-tiny-golden.pt"));
        var model = loaded.Model;
        var rates = PruningParams.Parse(golden.GetProperty("pruning_params").GetRawText(), model.PrunableLayers.Count);
        var criterion = (Criterion)Long(golden.GetProperty("criterion"));

        // These cases were made on the model converted to float32 first (golden README: PyTorch 1.13, float32), so they
        // rank in float32; kept_filters.json holds the paper's own float16 ranking (HalfPrecisionRankingTests).
        Pruner.Prune(ConnectivityGraph.Build(model), rates, new FilterImportance(criterion, precision: ImportancePrecision.Float32));

        Assert.Equal(Longs(golden.GetProperty("conv_layer_out_channels")), model.ConvLayers.Select(l => l.Unit.OutChannels));
        Assert.Equal(Long(golden.GetProperty("params_unfused")), model.ParameterCount);
        Assert.Equal(Long(golden.GetProperty("params_fused")), ModelMeasure.Measure(model, 640).ParamsFused);
        using var input = Golden.Npy("input_2x3x320x320.npy");
        using var expected = Golden.Npy(golden.GetProperty("output").GetString()!);
        using var _ = no_grad();
        using var output = model.forward(input);
        Golden.AssertDetectionsClose(expected, output);
    }

    [Theory]
    [InlineData("readme_list_l2")]
    [InlineData("all_layers_50_l1")]
    public void CheckpointSavedByThePapersPruneScriptLoadsWithItsPrunedShapesAndOutput(string name)
    {
        var golden = Case(name);
        using var loaded = ModelFile.Load(SharedData.Golden(golden.GetProperty("checkpoint").GetString()!));
        Assert.Equal(Longs(golden.GetProperty("conv_layer_out_channels")), loaded.Model.ConvLayers.Select(l => l.Unit.OutChannels));
        Assert.Equal(Long(golden.GetProperty("params_unfused")), loaded.Model.ParameterCount);
        using var input = Golden.Npy("input_2x3x320x320.npy");
        using var expected = Golden.Npy(golden.GetProperty("output").GetString()!);
        using var _ = no_grad();
        using var output = loaded.Model.forward(input);
        Golden.AssertDetectionsClose(expected, output);
    }
}
