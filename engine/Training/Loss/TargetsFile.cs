using System.Text.Json;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Training.Loss;

/// <summary>
/// Reads loss targets from JSON: either an array of rows <c>[image, class, x centre, y centre, width, height]</c>
/// (coordinates normalised to the image), or an object whose <c>targets</c> member is that array (the layout of the
/// golden loss file). Every row is checked against the batch and the class count.
/// </summary>
public static class TargetsFile
{
    /// <returns>[n, 6] float32 on the CPU.</returns>
    public static Tensor Read(string path, long batchSize, int classes)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"--targets {path}: file not found");
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"--targets {path}: not valid JSON ({e.Message}); expected [[image, class, xc, yc, w, h], …] or {{\"targets\": [...]}}");
        }
        var rows = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("targets", out var inner) ? inner : root;
        if (rows.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"--targets {path}: expected an array of rows [image, class, xc, yc, w, h] (or an object with a 'targets' array)");
        var values = new List<float>();
        var index = 0;
        foreach (var row in rows.EnumerateArray())
        {
            values.AddRange(ReadRow(row, $"--targets {path}: row {index}", batchSize, classes));
            index++;
        }
        return tensor(values.ToArray()).view(-1, 6);
    }

    private static float[] ReadRow(JsonElement row, string where, long batchSize, int classes)
    {
        if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != 6 || row.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number))
            throw new InvalidDataException($"{where}: expected 6 numbers [image, class, xc, yc, w, h], got {row.GetRawText()}");
        var v = row.EnumerateArray().Select(e => e.GetDouble()).ToArray();
        if (v[0] != Math.Floor(v[0]) || v[0] < 0 || v[0] >= batchSize)
            throw new InvalidDataException($"{where}: image index {v[0]} is not an image of the batch (0..{batchSize - 1})");
        if (v[1] != Math.Floor(v[1]) || v[1] < 0 || v[1] >= classes)
            throw new InvalidDataException($"{where}: class {v[1]} is not a class of the model (0..{classes - 1})");
        if (v.Skip(2).Any(x => x < 0 || x > 1) || v[4] <= 0 || v[5] <= 0)
            throw new InvalidDataException($"{where}: xc, yc, w, h must be normalised to [0, 1] with w, h > 0, got {row.GetRawText()}");
        return v.Select(x => (float)x).ToArray();
    }
}
