using System.Text.Json;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Training.Hyp;
using PruneCluster.Engine.Training.Loss;
using PruneCluster.Tests.Support;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Training;

/// <summary>
/// tests/fixtures/p6_aux_loss (README there): yolov7-w6 with formula weights, a formula input batch, targets and
/// YOLOv7's ComputeLossAuxOTA values. The formulas restate make_fixture.py's: entry t of the sorted floating
/// state_dict keys (anchor buffers left out), element i, is sin(b·i + c·t + d·(i² mod p)) times a scale chosen by the
/// entry's kind (the constants are the fixture's).
/// </summary>
public sealed class P6AuxLossFixture : IDisposable
{
    public static string Folder => RepoFiles.Path("tests", "fixtures", "p6_aux_loss");

    public static JsonElement Json { get; } = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "p6_aux_loss.json"))).RootElement;

    public P6AuxLossFixture()
    {
        Model = ModelBuilder.Build(YoloCfg.Resolve(Json.GetProperty("cfg").GetString()!));
        (Tensors, Elements) = SetFormulaWeights(Model, Json.GetProperty("weights"));
        Model.eval();
        var (batch, size) = (Json.GetProperty("batch").GetInt32(), Json.GetProperty("image_size").GetInt32());
        Input = FormulaImage(batch, size);
        Targets = tensor(Json.GetProperty("targets").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => (float)v.GetDouble())).ToArray()).view(-1, 6);
    }

    public YoloModel Model { get; }
    public Tensor Input { get; }
    public Tensor Targets { get; }

    /// <summary>How many state_dict entries and elements the formula set (the fixture records YOLOv7's counts).</summary>
    public int Tensors { get; }
    public long Elements { get; }

    /// <summary>The embedded hyp (a JSON object is valid YAML): YOLOv7's hyp.scratch.p6.yaml, unscaled.</summary>
    public static Hyperparameters Hyp => HyperparameterFile.Parse(Json.GetProperty("hyp").GetRawText(), "p6_aux_loss.json");

    /// <summary>loss, lbox, lobj, lcls of YOLOv7's ComputeLossAuxOTA.</summary>
    public static double[] Expected
    {
        get
        {
            var e = Json.GetProperty("ComputeLossAuxOTA");
            return new[] { "loss", "lbox", "lobj", "lcls" }.Select(k => e.GetProperty(k).GetDouble()).ToArray();
        }
    }

    /// <summary>The loss of the fixture batch without gradients.</summary>
    public LossValues Evaluate(YoloLossKind kind, Tensor? targets = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var loss = new YoloLoss(Model.Head, Hyp, kind);
        var raw = Model.ForwardRaw(Input, includeAux: loss.UsesAux);
        using var output = loss.Compute(raw, targets ?? Targets, Input.shape[2]);
        return output.Read();
    }

    private static (int Tensors, long Elements) SetFormulaWeights(YoloModel model, JsonElement constants)
    {
        double Constant(string name) => constants.GetProperty(name).GetDouble();
        var (b, c, d, p, gain, headBias) = (Constant("b"), Constant("c"), Constant("d"), constants.GetProperty("p").GetInt64(), Constant("gain"), Constant("head_bias"));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var entries = StateDict.Ordered(model)
            .Where(kv => kv.Value.is_floating_point() && !kv.Key.EndsWith(".anchors", StringComparison.Ordinal) && !kv.Key.EndsWith(".anchor_grid", StringComparison.Ordinal))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var elements = 0L;
        for (var t = 0; t < entries.Count; t++)
        {
            var (key, target) = (entries[t].Key, entries[t].Value);
            var shape = target.shape;
            var i = arange(target.numel(), ScalarType.Int64);
            var s = (i.to(ScalarType.Float64) * b + c * t + (i * i).remainder(p).to(ScalarType.Float64) * d).sin();
            var v = key.EndsWith("running_var", StringComparison.Ordinal) ? 1.0 + 0.5 * s
                : key.EndsWith("implicit", StringComparison.Ordinal) ? (key.Contains(".im.", StringComparison.Ordinal) ? 1.0 + 0.02 * s : 0.02 * s)
                : shape.Length == 4 ? Math.Sqrt(gain / shape.Skip(1).Aggregate(1L, (x, y) => x * y)) * s
                : key.EndsWith("bn.weight", StringComparison.Ordinal) ? 1.0 + 0.1 * s
                : key.EndsWith(".bias", StringComparison.Ordinal) && !key.EndsWith("bn.bias", StringComparison.Ordinal) ? headBias + 0.1 * s
                : 0.1 * s;
            target.copy_(v.to(ScalarType.Float32).view(shape));
            elements += target.numel();
        }
        return (entries.Count, elements);
    }

    // x[n, c, h, w] = 0.5 + 0.3 sin(0.09 h + 0.05 (c + 1) w + n) + 0.15 sin(0.31 w − 0.17 h + c), float64 then float32.
    private static Tensor FormulaImage(int batch, int size)
    {
        using var scope = NewDisposeScope();
        var n = arange(batch, ScalarType.Float64).view(-1, 1, 1, 1);
        var c = arange(3, ScalarType.Float64).view(1, -1, 1, 1);
        var h = arange(size, ScalarType.Float64).view(1, 1, -1, 1);
        var w = arange(size, ScalarType.Float64).view(1, 1, 1, -1);
        var x = 0.5 + 0.3 * (0.09 * h + 0.05 * (c + 1) * w + n).sin() + 0.15 * (0.31 * w - 0.17 * h + c).sin();
        return x.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    public static void AssertClose(double[] expected, double[] actual)
    {
        string[] names = ["loss", "lbox", "lobj", "lcls"];
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * Math.Abs(expected[i]),
                $"{names[i]}: {actual[i]:R} vs YOLOv7 {expected[i]:R} (relative difference {Math.Abs(actual[i] - expected[i]) / Math.Abs(expected[i]):E2})");
    }

    public void Dispose()
    {
        Model.Dispose();
        Input.Dispose();
        Targets.Dispose();
    }
}
