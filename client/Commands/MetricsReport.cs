using System.Text;
using System.Text.Json;
using PruneCluster.Engine.Evaluation;

namespace PruneCluster.Client.Commands;

/// <summary>Renders <see cref="DetectionMetrics"/> as YOLOv7's test.py table or as one JSON document.</summary>
public static class MetricsReport
{
    private const int NameWidth = 20;
    private const int ColumnWidth = 12;

    /// <summary>
    /// test.py's table: a header, the "all" row, then (for more than one class) one row per class with labels,
    /// formatted <c>'%20s' + '%12i' * 2 + '%12.3g' * 4</c>.
    /// </summary>
    public static string Table(DetectionMetrics metrics, IReadOnlyList<string>? names)
    {
        var text = new StringBuilder();
        text.Append(PrintfFormat.String("Class", NameWidth));
        foreach (var column in new[] { "Images", "Labels", "P", "R", "mAP@.5", "mAP@.5:.95" })
            text.Append(PrintfFormat.String(column, ColumnWidth));
        text.AppendLine();
        AppendRow(text, "all", metrics.Images, metrics.Labels, metrics.Mp, metrics.Mr, metrics.Map50, metrics.Map);
        if (metrics.Maps.Length > 1)
        {
            for (var i = 0; i < metrics.ApClass.Length; i++)
            {
                var c = metrics.ApClass[i];
                var name = names is not null && c < names.Count ? names[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture);
                AppendRow(text, name, metrics.Images, metrics.Nt[c], metrics.P[i], metrics.R[i], metrics.Ap50[i], metrics.Ap[i]);
            }
        }
        return text.ToString();
    }

    /// <summary>One indented JSON document with the summary, per-class values and counts (and <c>coco</c> when given).</summary>
    public static string Json(DetectionMetrics metrics, IReadOnlyList<string>? names, CocoMetrics? coco = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("images", metrics.Images);
            json.WriteNumber("labels", metrics.Labels);
            json.WriteNumber("mp", metrics.Mp);
            json.WriteNumber("mr", metrics.Mr);
            json.WriteNumber("map50", metrics.Map50);
            json.WriteNumber("map", metrics.Map);
            json.WriteNumber("fitness", metrics.Fitness);
            WriteReals(json, "maps", metrics.Maps);
            WriteIntegers(json, "nt", metrics.Nt);
            WriteIntegers(json, "ap_class", metrics.ApClass.Select(c => (long)c));
            WriteReals(json, "p", metrics.P);
            WriteReals(json, "r", metrics.R);
            WriteReals(json, "ap50", metrics.Ap50);
            WriteReals(json, "ap", metrics.Ap);
            if (names is not null)
            {
                json.WriteStartArray("names");
                foreach (var name in names)
                    json.WriteStringValue(name);
                json.WriteEndArray();
            }
            if (coco is not null)
                CocoReport.Write(json, coco);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }

    private static void AppendRow(StringBuilder text, string name, long images, long labels, double p, double r, double map50, double map)
    {
        text.Append(PrintfFormat.String(name, NameWidth))
            .Append(PrintfFormat.Integer(images, ColumnWidth))
            .Append(PrintfFormat.Integer(labels, ColumnWidth));
        foreach (var value in new[] { p, r, map50, map })
            text.Append(PrintfFormat.General(value, 3, ColumnWidth));
        text.AppendLine();
    }

    private static void WriteReals(Utf8JsonWriter json, string property, IEnumerable<double> values)
    {
        json.WriteStartArray(property);
        foreach (var value in values)
            json.WriteNumberValue(value);
        json.WriteEndArray();
    }

    private static void WriteIntegers(Utf8JsonWriter json, string property, IEnumerable<long> values)
    {
        json.WriteStartArray(property);
        foreach (var value in values)
            json.WriteNumberValue(value);
        json.WriteEndArray();
    }
}
