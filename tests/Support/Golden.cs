using System.Text.Json;
using PruneCluster.Engine.Checkpoints;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Support;

/// <summary>Reads the golden json/npy files and compares model outputs with the tolerances golden/README.md states.</summary>
public static class Golden
{
    public static JsonElement Json(string name) => JsonDocument.Parse(File.ReadAllText(SharedData.Golden(name))).RootElement;

    public static Tensor Npy(string name) => NpyFile.Read(SharedData.Golden(name));

    /// <summary>
    /// Columns 0..3 (pixels): max |Δ| ≤ rel · max |y_ref|; columns 4.. (probabilities): max |Δ| ≤ abs.
    /// </summary>
    public static void AssertDetectionsClose(Tensor expected, Tensor actual, double rel = 1e-4, double abs = 1e-4)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = NewDisposeScope();
        var boxesRef = expected[TensorIndex.Ellipsis, TensorIndex.Slice(0, 4)];
        var boxes = actual[TensorIndex.Ellipsis, TensorIndex.Slice(0, 4)];
        var boxError = (boxes - boxesRef).abs().max().item<float>();
        var boxScale = boxesRef.abs().max().item<float>();
        var scoreError = (actual[TensorIndex.Ellipsis, TensorIndex.Slice(4, null)] - expected[TensorIndex.Ellipsis, TensorIndex.Slice(4, null)]).abs().max().item<float>();
        Assert.True(boxError <= rel * boxScale, $"box columns differ by {boxError} (allowed {rel * boxScale})");
        Assert.True(scoreError <= abs, $"score columns differ by {scoreError} (allowed {abs})");
    }
}
