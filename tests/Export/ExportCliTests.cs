using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using PruneCluster.Engine.Models;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Export;

public sealed class ExportCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("prunecluster-export-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ExportWritesAPrunedDynamicBatchModelThatOnnxRuntimeLoads()
    {
        var onnx = Path.Combine(folder, "tiny.onnx");
        var result = CliRunner.Run("export", "--weights", SharedData.Golden("yolov7-tiny-golden.pt"), "--onnx", onnx, "--img", "128",
            "--dynamic-batch", "--pruning-params", "[(0, 0.3), (20, 0.75)]", "--round-to", "8");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("input  images [batch, 3, 128, 128]", result.Stdout);
        Assert.Contains("output output [batch, 1008, 85]", result.Stdout);
        using var session = new InferenceSession(onnx);
        var meta = session.ModelMetadata.CustomMetadataMap;
        var pruning = JsonDocument.Parse(meta["pruning"]).RootElement;
        Assert.Equal(8, pruning.GetProperty("round_to").GetInt32());
        // Layer 0: 0.3 of 32 removes ceil(4.8)·2 = 10, keeping 22, rounded up to 24; layer 20 keeps 64 of 256 as it is.
        Assert.Equal([[0, 32, 24], [20, 256, 64]], pruning.GetProperty("layers").EnumerateArray().Select(l => l.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray());
        Assert.Equal(80, JsonDocument.Parse(meta["names"]).RootElement.GetArrayLength());
        Assert.Empty(Directory.GetFiles(folder, ".*.tmp"));
    }

    [Theory]
    [InlineData("--opset", "9", "--opset 9: use 14..21")]
    [InlineData("--batch", "2", "--batch 2 with --dynamic-batch")]
    public void BadOptionsAreOneLine(string option, string value, string expected)
    {
        var result = CliRunner.Run("export", "--weights", SharedData.Golden("yolov7-tiny-golden.pt"), "--onnx", Path.Combine(folder, "x.onnx"), "--dynamic-batch", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void BenchmarkAgainstABaselineReportsEveryConvLayerTheSpeedupsAndThePlot()
    {
        var plot = Path.Combine(folder, "conv.png");
        var result = CliRunner.Run("benchmark", "--weights", SharedData.Golden("yolov7-tiny-golden.pt"), "--baseline", SharedData.Golden("yolov7-tiny-golden.pt"),
            "--pruning-params", "0.5", "--img", "128", "--threads", "1", "--warmup", "1", "--runs", "3", "--profile-runs", "2", "--plot", plot, "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        var models = json.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(["baseline", "model"], models.Select(m => m.GetProperty("name").GetString()));
        using var tiny = ModelFile.Load(SharedData.Golden("yolov7-tiny-golden.pt"));
        foreach (var m in models)
        {
            // Every conv layer's kernel is found in the profile under its index, fused or re-laid out by ONNX Runtime.
            var layers = m.GetProperty("conv_layers_ms").EnumerateObject().ToList();
            Assert.Equal(Enumerable.Range(0, tiny.Model.ConvLayers.Count).Select(i => i.ToString()), layers.Select(l => l.Name));
            Assert.All(layers, l => Assert.True(l.Value.GetDouble() > 0));
            Assert.Equal(layers.Sum(l => l.Value.GetDouble()), m.GetProperty("conv_ms").GetDouble(), 0.01);
        }
        var gflops = models.Select(m => m.GetProperty("gflops").GetDouble()).ToList();
        Assert.Equal(gflops[0] / gflops[1], json.GetProperty("gflops_ratio").GetDouble(), 0.01);
        Assert.True(json.GetProperty("speedup").GetDouble() > 0 && json.GetProperty("conv_speedup").GetDouble() > 0);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(plot)[..4]);
        Assert.Contains("ETA", result.Stderr);
    }

    [Fact]
    public void BenchmarkWithTorchSharpReportsLatencyWithoutAProfile()
    {
        var result = CliRunner.Run("benchmark", "--weights", SharedData.Golden("yolov7-tiny-golden.pt"), "--runtime", "torch", "--img", "128",
            "--threads", "1", "--warmup", "1", "--runs", "3", "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var model = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("models")[0];
        Assert.True(model.GetProperty("median_ms").GetDouble() > 0);
        Assert.False(model.TryGetProperty("conv_ms", out _));
    }
}
