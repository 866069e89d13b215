using System.Text.Json;
using PruneCluster.Engine.Training.Hyp;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Training;

/// <summary>The golden loss file (golden/README.md §Loss): its checkpoint, input, targets, hyp and expected values.</summary>
public static class LossGolden
{
    public const string File = "yolov7-tiny_loss_golden.json";

    public static JsonElement Json => Golden.Json(File);

    public static string Checkpoint => SharedData.Golden(Json.GetProperty("checkpoint").GetString()!);

    public static string Input => SharedData.Golden(Json.GetProperty("input").GetString()!);

    /// <summary>The embedded hyp (a JSON object is valid YAML).</summary>
    public static Hyperparameters Hyp => HyperparameterFile.Parse(Json.GetProperty("hyp").GetRawText(), File);

    public static float[] TargetValues => Json.GetProperty("targets").EnumerateArray()
        .SelectMany(r => r.EnumerateArray().Select(v => (float)v.GetDouble())).ToArray();

    /// <summary>loss, lbox, lobj, lcls of <c>ComputeLoss</c> or <c>ComputeLossOTA</c>.</summary>
    public static double[] Expected(bool ota)
    {
        var e = Json.GetProperty(ota ? "ComputeLossOTA" : "ComputeLoss");
        return new[] { "loss", "lbox", "lobj", "lcls" }.Select(k => e.GetProperty(k).GetDouble()).ToArray();
    }

    public static void AssertClose(double[] expected, double[] actual)
    {
        string[] names = ["loss", "lbox", "lobj", "lcls"];
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * Math.Abs(expected[i]),
                $"{names[i]}: {actual[i]:R} vs golden {expected[i]:R} (relative difference {Math.Abs(actual[i] - expected[i]) / Math.Abs(expected[i]):E2})");
    }
}
