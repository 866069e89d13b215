using System.Text.Json;

namespace PruneCluster.Engine.Evaluation;

/// <summary>JSON (de)serialisation of <see cref="MetricsFile"/>, with one-line errors that say where the file is wrong.</summary>
internal static class MetricsFileJson
{
    private const string LabelLayout = "[cls, x1, y1, x2, y2]";
    private const string PredictionLayout = "[x1, y1, x2, y2, conf, cls]";

    public static MetricsFile Read(string path)
    {
        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MetricsFileException(path, $"cannot be opened ({e.Message.ReplaceLineEndings(" ")}); pass an existing detections JSON file", e);
        }
        catch (JsonException e)
        {
            throw new MetricsFileException(path, $"is not valid JSON ({e.Message.ReplaceLineEndings(" ")}); pass a file written by 'test --save-predictions'", e);
        }

        using (document)
        {
            try
            {
                return Parse(document.RootElement);
            }
            catch (FormatException e)
            {
                throw new MetricsFileException(path, $"{e.Message}; expected the layout 'prunecluster test --save-predictions' writes: nc, and per image labels [cls,x1,y1,x2,y2] and predictions [x1,y1,x2,y2,conf,cls] in pixels", e);
            }
        }
    }

    public static void Write(MetricsFile file, string path)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteString("description", file.Description ??
            "Detections for YOLOv7 test.py scoring: labels [cls,x1,y1,x2,y2], predictions [x1,y1,x2,y2,conf,cls] sorted by conf, pixels.");
        json.WriteNumber("nc", file.ClassCount);
        json.WriteString("dtype", file.DType == DetectionDType.Float32 ? "float32" : "float64");
        json.WriteStartArray("iou_thresholds");
        foreach (var t in DetectionMatcher.IouThresholds)
            json.WriteNumberValue((double)t);
        json.WriteEndArray();
        if (file.Names is { } names)
        {
            json.WriteStartArray("names");
            foreach (var name in names)
                json.WriteStringValue(name);
            json.WriteEndArray();
        }
        json.WriteStartArray("images");
        foreach (var image in file.Images)
        {
            json.WriteStartObject();
            if (image.Name is { } name)
                json.WriteString("name", name);
            WriteRows(json, "labels", image.Labels);
            WriteRows(json, "predictions", image.Predictions);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (file.Expected is { } expected)
            WriteMetrics(json, "expected", expected);
        json.WriteEndObject();
    }

    private static MetricsFile Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new FormatException("top level is not a JSON object");
        var nc = RequiredInt(root, "nc");
        if (nc < 1)
            throw new FormatException($"'nc' is {nc}, expected the number of classes (>= 1)");
        if (!root.TryGetProperty("images", out var imagesElement) || imagesElement.ValueKind != JsonValueKind.Array)
            throw new FormatException("'images' array is missing");

        var images = new List<MetricsImage>();
        var index = 0;
        foreach (var image in imagesElement.EnumerateArray())
        {
            var where = $"images[{index++}]";
            if (image.ValueKind != JsonValueKind.Object)
                throw new FormatException($"{where} is not an object with 'labels' and 'predictions'");
            var labels = Rows(image, "labels", 5, LabelLayout, where);
            var predictions = Rows(image, "predictions", 6, PredictionLayout, where);
            CheckClasses(labels, 0, nc, $"{where}.labels");
            CheckClasses(predictions, 5, nc, $"{where}.predictions");
            var name = image.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            images.Add(new MetricsImage(labels, predictions, name));
        }

        return new MetricsFile(nc, images)
        {
            Names = OptionalNames(root, nc),
            DType = ParseDType(root),
            Expected = root.TryGetProperty("expected", out var expected) ? ParseMetrics(expected, images.Count) : null,
            Description = root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null,
        };
    }

    private static double[,] Rows(JsonElement image, string property, int columns, string layout, string where)
    {
        if (!image.TryGetProperty(property, out var rows) || rows.ValueKind != JsonValueKind.Array)
            throw new FormatException($"{where}.{property} is missing (expected a list of {layout})");
        var result = new double[rows.GetArrayLength(), columns];
        var r = 0;
        foreach (var row in rows.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != columns)
                throw new FormatException($"{where}.{property}[{r}] is not a list of {columns} numbers {layout}");
            var c = 0;
            foreach (var value in row.EnumerateArray())
            {
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
                    throw new FormatException($"{where}.{property}[{r}][{c}] is not a finite number");
                result[r, c++] = number;
            }
            r++;
        }
        return result;
    }

    private static void CheckClasses(double[,] rows, int column, int nc, string where)
    {
        for (var r = 0; r < rows.GetLength(0); r++)
        {
            var cls = rows[r, column];
            if (cls != Math.Floor(cls) || cls < 0 || cls >= nc)
                throw new FormatException($"{where}[{r}] has class {cls}, expected an integer in 0..{nc - 1}");
        }
    }

    private static int RequiredInt(JsonElement element, string property)
    {
        if (!element.TryGetProperty(property, out var value) || !value.TryGetInt32(out var number))
            throw new FormatException($"'{property}' is missing or not an integer");
        return number;
    }

    private static IReadOnlyList<string>? OptionalNames(JsonElement root, int nc)
    {
        if (!root.TryGetProperty("names", out var names))
            return null;
        if (names.ValueKind != JsonValueKind.Array || names.GetArrayLength() != nc
            || names.EnumerateArray().Any(n => n.ValueKind != JsonValueKind.String))
            throw new FormatException($"'names' must be a list of {nc} strings");
        return names.EnumerateArray().Select(n => n.GetString()!).ToArray();
    }

    private static DetectionDType ParseDType(JsonElement root)
    {
        if (!root.TryGetProperty("dtype", out var dtype))
            return DetectionDType.Float32;
        return dtype.ValueKind != JsonValueKind.String ? throw new FormatException("'dtype' is not a string") : dtype.GetString() switch
        {
            "float32" => DetectionDType.Float32,
            "float64" => DetectionDType.Float64,
            var other => throw new FormatException($"'dtype' is '{other}', expected 'float32' or 'float64'"),
        };
    }

    private static DetectionMetrics ParseMetrics(JsonElement e, int imageCount)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new FormatException("'expected' is not an object");
        double Number(string name) => e.TryGetProperty(name, out var v) && v.TryGetDouble(out var d)
            ? d : throw new FormatException($"'expected.{name}' is missing or not a number");
        T[] Array<T>(string name, Func<JsonElement, T> read) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Select(read).ToArray() : throw new FormatException($"'expected.{name}' is missing or not a list");

        try
        {
            return new DetectionMetrics(
                Number("mp"), Number("mr"), Number("map50"), Number("map"),
                Array("maps", v => v.GetDouble()), Array("ap_class", v => v.GetInt32()),
                Array("p", v => v.GetDouble()), Array("r", v => v.GetDouble()),
                Array("ap50", v => v.GetDouble()), Array("ap", v => v.GetDouble()),
                Array("nt", v => v.GetInt64()),
                e.TryGetProperty("images", out var images) && images.TryGetInt32(out var count) ? count : imageCount);
        }
        catch (InvalidOperationException ex)
        {
            throw new FormatException($"'expected' holds a value of the wrong type ({ex.Message})");
        }
    }

    internal static void WriteMetrics(Utf8JsonWriter json, string property, DetectionMetrics m)
    {
        json.WriteStartObject(property);
        json.WriteNumber("mp", m.Mp);
        json.WriteNumber("mr", m.Mr);
        json.WriteNumber("map50", m.Map50);
        json.WriteNumber("map", m.Map);
        WriteIntegers(json, "ap_class", m.ApClass.Select(c => (long)c));
        WriteArray(json, "p", m.P);
        WriteArray(json, "r", m.R);
        WriteArray(json, "ap50", m.Ap50);
        WriteArray(json, "ap", m.Ap);
        WriteArray(json, "maps", m.Maps);
        WriteIntegers(json, "nt", m.Nt);
        json.WriteNumber("images", m.Images);
        json.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter json, string property, IEnumerable<double> values)
    {
        json.WriteStartArray(property);
        foreach (var v in values)
            json.WriteNumberValue(v);
        json.WriteEndArray();
    }

    private static void WriteIntegers(Utf8JsonWriter json, string property, IEnumerable<long> values)
    {
        json.WriteStartArray(property);
        foreach (var v in values)
            json.WriteNumberValue(v);
        json.WriteEndArray();
    }

    private static void WriteRows(Utf8JsonWriter json, string property, double[,] rows)
    {
        json.WriteStartArray(property);
        for (var r = 0; r < rows.GetLength(0); r++)
        {
            json.WriteStartArray();
            for (var c = 0; c < rows.GetLength(1); c++)
                json.WriteNumberValue(rows[r, c]);
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }
}
