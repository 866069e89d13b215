using System.Text;
using System.Text.Json;
using PruneCluster.Engine.Evaluation;

namespace PruneCluster.Client.Commands;

/// <summary>Renders <see cref="CocoMetrics"/> as pycocotools' summary block or as the <c>coco</c> object of a --json document.</summary>
public static class CocoReport
{
    /// <summary>Where the ground truth of a run without an instances json comes from, for the heading.</summary>
    public const string LabelsGroundTruth = "the YOLO labels (area = box w*h, no crowd regions)";

    /// <summary>A heading naming the ground truth, then the twelve lines of pycocotools' summarize().</summary>
    public static string Text(CocoMetrics metrics, string groundTruth)
    {
        var text = new StringBuilder();
        text.AppendLine($"COCO-style evaluation (pycocotools rules) of {metrics.Detections} detections on {metrics.Images} images, ground truth: {groundTruth}");
        foreach (var line in CocoSummary.Lines(metrics))
            text.AppendLine(line);
        return text.ToString();
    }

    /// <summary>The twelve stats under snake_case keys (ap, ap50, …, ar_large), then the counts.</summary>
    public static IReadOnlyDictionary<string, double> Values(CocoMetrics m) => new Dictionary<string, double>
    {
        ["ap"] = m.Ap,
        ["ap50"] = m.Ap50,
        ["ap75"] = m.Ap75,
        ["ap_small"] = m.ApSmall,
        ["ap_medium"] = m.ApMedium,
        ["ap_large"] = m.ApLarge,
        ["ar1"] = m.Ar1,
        ["ar10"] = m.Ar10,
        ["ar100"] = m.Ar100,
        ["ar_small"] = m.ArSmall,
        ["ar_medium"] = m.ArMedium,
        ["ar_large"] = m.ArLarge,
        ["images"] = m.Images,
        ["annotations"] = m.Annotations,
        ["detections"] = m.Detections,
    };

    /// <summary>Writes <see cref="Values"/> as the object <c>coco</c>.</summary>
    public static void Write(Utf8JsonWriter json, CocoMetrics metrics)
    {
        json.WriteStartObject("coco");
        foreach (var (key, value) in Values(metrics))
            json.WriteNumber(key, value);
        json.WriteEndObject();
    }
}
