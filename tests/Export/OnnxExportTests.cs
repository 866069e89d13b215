using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PruneCluster.Engine.Export;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Tests.Support;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace PruneCluster.Tests.Export;

/// <summary>
/// The exported graph, run by ONNX Runtime (CPU), gives TorchSharp's output of the same fused model. Tolerance:
/// |onnx − torch| ≤ 1e-4 · max(1, |torch|): absolute 1e-4 for scores and raw outputs; for box coordinates and sizes
/// (up to ~10³ pixels, where one float32 ulp is already 6e-5) relative 1e-4, since ONNX Runtime's MLAS kernels sum
/// each convolution in another order than libtorch's, and the difference grows with the value's magnitude.
/// </summary>
public sealed class OnnxExportTests
{
    private const int Img = 128;

    [Theory]
    [InlineData("yolov7-tiny-golden.pt", null, false, 1)]
    [InlineData("yolov7-tiny-golden.pt", "0.5", true, 2)]
    [InlineData("yolov7-golden.pt", null, true, 2)]
    [InlineData("yolov7-golden.pt", "[(0, 0.5), (10, 0.25), (40, 0.75), (85, 0.5), (88, 0.5)]", false, 1)]
    public void OnnxRuntimeGivesTheTorchSharpOutput(string checkpoint, string? pruning, bool dynamicBatch, int batch)
    {
        using var loaded = Open(checkpoint, pruning);
        var options = new OnnxExportOptions(Img, batch, dynamicBatch);
        var onnx = OnnxExporter.Build(loaded.Model, options);
        using var x = Input(batch);
        using var expected = loaded.Model.forward(x);

        using var session = new InferenceSession(onnx.ToByteArray());
        var output = Run(session, x).Single();

        Assert.Equal(OnnxExporter.OutputName, output.Name);
        AssertClose(expected, output.Value);
        AssertStandardOperators(onnx, options.Opset);
        Assert.Equal(dynamicBatch ? "batch" : "", onnx.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
    }

    [Fact]
    public void NoDecodeEndsAtTheRawHeadOutputs()
    {
        using var loaded = Open("yolov7-tiny-golden.pt", "[(3, 0.5), (20, 0.5)]");
        var onnx = OnnxExporter.Build(loaded.Model, new OnnxExportOptions(Img, Decode: false));
        using var x = Input(1);
        var expected = loaded.Model.ForwardRaw(x, includeAux: false);

        using var session = new InferenceSession(onnx.ToByteArray());
        var outputs = Run(session, x);

        Assert.Equal(["raw0", "raw1", "raw2"], outputs.Select(o => o.Name));
        foreach (var (torch, ort) in expected.Zip(outputs))
        {
            Assert.Equal(torch.shape, ort.Value.Dimensions.ToArray().Select(d => (long)d));
            AssertClose(torch, ort.Value);
            torch.Dispose();
        }
        AssertStandardOperators(onnx, 17);
    }

    [Fact]
    public void TheFileRecordsClassesStridesAnchorsAndThePruning()
    {
        using var loaded = Open("yolov7-tiny-golden.pt", null);
        var onnx = OnnxExporter.Build(loaded.Model, new OnnxExportOptions(Img, ClassNames: ["cell", "rbc"], Pruning: "[(3, 0.5)]", Opset: 19));
        var meta = onnx.MetadataProps.ToDictionary(p => p.Key, p => p.Value);

        Assert.Equal("[\"cell\",\"rbc\"]", meta["names"]);
        Assert.Equal("[8,16,32]", meta["stride"]);
        Assert.Equal("[[10,13,16,30,33,23],[30,61,62,45,59,119],[116,90,156,198,373,326]]", meta["anchors"]);
        Assert.Equal("[128,128]", meta["img"]);
        Assert.Equal("[(3, 0.5)]", meta["pruning"]);
        Assert.Equal(19, onnx.OpsetImport.Single().Version);
        Assert.Equal(9, onnx.IrVersion);
        // Every conv node carries its conv-layer index, so profiler times map back to layers.
        var convs = onnx.Graph.Node.Where(n => n.OpType == "Conv").Select(n => OnnxExporter.ConvIndexOf(n.Name)).ToList();
        Assert.Equal(Enumerable.Range(0, loaded.Model.ConvLayers.Count).Select(i => (int?)i), convs.Order());
    }

    [Fact]
    public void AnUnfusedModelOrABadImageSizeIsRefused()
    {
        using var unfused = ModelFile.Load(SharedData.Golden("yolov7-tiny-golden.pt"));
        Assert.Throws<ArgumentException>(() => OnnxExporter.Build(unfused.Model, new OnnxExportOptions(Img)));
        unfused.Model.Fuse();
        Assert.Contains("multiple of the model's largest stride 32", Assert.Throws<OnnxExportException>(() => OnnxExporter.Build(unfused.Model, new OnnxExportOptions(100))).Message);
    }

    private static LoadedModel Open(string checkpoint, string? pruning)
    {
        var loaded = ModelFile.Load(SharedData.Golden(checkpoint));
        if (pruning != null)
            Pruner.Prune(ConnectivityGraph.Build(loaded.Model), PruningParams.Parse(pruning, loaded.Model.PrunableLayers.Count), new FilterImportance(Criterion.SmallestL2));
        loaded.Model.Fuse();
        return loaded;
    }

    private static Tensor Input(int batch)
    {
        using var generator = new Generator(7);
        return rand([batch, 3, Img, Img], generator: generator);
    }

    private static IReadOnlyList<(string Name, DenseTensor<float> Value)> Run(InferenceSession session, Tensor x)
    {
        var input = new DenseTensor<float>(x.data<float>().ToArray(), x.shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input)]);
        return results.Select(r => (r.Name, new DenseTensor<float>(r.AsTensor<float>().ToArray(), r.AsTensor<float>().Dimensions.ToArray()))).ToList();
    }

    private static void AssertClose(Tensor expected, DenseTensor<float> actual)
    {
        Assert.Equal(expected.shape, actual.Dimensions.ToArray().Select(d => (long)d));
        var want = expected.contiguous().data<float>().ToArray();
        var got = actual.Buffer.ToArray();
        var worst = want.Zip(got).Select(p => Math.Abs(p.First - p.Second) / Math.Max(1, Math.Abs(p.First))).Max();
        Assert.True(worst <= 1e-4, $"largest difference {worst:E2} (relative above 1) exceeds 1e-4");
        Assert.True(want.Any(v => v > 1), "the output holds real boxes");
    }

    // Only default-domain operators of the opset, from the exporter's list (no custom or contrib ops).
    private static void AssertStandardOperators(Onnx.ModelProto onnx, int opset)
    {
        Assert.Equal("", onnx.OpsetImport.Single().Domain);
        Assert.Equal(opset, onnx.OpsetImport.Single().Version);
        foreach (var node in onnx.Graph.Node)
        {
            Assert.Equal("", node.Domain);
            Assert.Contains(node.OpType, OnnxExporter.Operators);
        }
    }
}
