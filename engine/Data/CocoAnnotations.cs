using System.Text.Json;

namespace PruneCluster.Engine.Data;

/// <summary>
/// A COCO <c>instances_*.json</c> read as YOLO labels, converted the way Ultralytics' JSON2YOLO made the YOLO .txt
/// files of COCO: crowd annotations skipped, [x, y, w, h] top-left pixel boxes turned into centre/size fractions of
/// the image's json width/height, boxes with no width or height skipped, and the category id replaced by its rank
/// among the sorted category ids (for COCO that is the 80-class index, the inverse of YOLOv7's coco80_to_coco91_class).
/// Values keep full precision (rounded once to float32), where a .txt export rounds them to 6 decimals.
/// </summary>
public sealed class CocoAnnotations
{
    private readonly Dictionary<string, List<(long AnnotationId, float[] Values)>> _rowsByFileName;

    private CocoAnnotations(string jsonPath, IReadOnlyList<int> categoryIds, IReadOnlyList<string> categoryNames,
        Dictionary<string, List<(long, float[])>> rowsByFileName)
    {
        JsonPath = jsonPath;
        CategoryIds = categoryIds;
        CategoryNames = categoryNames;
        _rowsByFileName = rowsByFileName;
    }

    public string JsonPath { get; }

    /// <summary>COCO category ids in class-index order (sorted).</summary>
    public IReadOnlyList<int> CategoryIds { get; }

    /// <summary>Category names in class-index order.</summary>
    public IReadOnlyList<string> CategoryNames { get; }

    /// <summary>Number of images the json lists.</summary>
    public int ImageCount => _rowsByFileName.Count;

    /// <summary>Whether the json lists an image with this file name (folder ignored).</summary>
    public bool HasImage(string imagePath) => _rowsByFileName.ContainsKey(Path.GetFileName(imagePath));

    /// <summary>The converted, not yet checked labels of an image (empty when the json does not list it).</summary>
    public IReadOnlyList<NormalizedLabel> LabelsFor(string imagePath) =>
        RowsFor(imagePath).Select(r => new NormalizedLabel((int)r.Values[0], r.Values[1], r.Values[2], r.Values[3], r.Values[4])).ToList();

    internal IReadOnlyList<(long AnnotationId, float[] Values)> RowsFor(string imagePath) =>
        _rowsByFileName.TryGetValue(Path.GetFileName(imagePath), out var rows) ? rows : [];

    public static CocoAnnotations Load(string jsonPath)
    {
        var path = Path.GetFullPath(jsonPath);
        if (!File.Exists(path))
            throw new DatasetException($"COCO annotations {path} do not exist; pass an instances_*.json file");
        try
        {
            using var stream = File.OpenRead(path);
            using var json = JsonDocument.Parse(stream);
            return FromJson(path, json.RootElement);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new DatasetException(
                $"{path}: not a COCO instances json ({e.Message.Split('\n')[0].Trim()}); pass an instances_*.json with images, annotations and categories", e);
        }
    }

    private static CocoAnnotations FromJson(string path, JsonElement root)
    {
        var categories = root.GetProperty("categories").EnumerateArray()
            .Select(c => (Id: c.GetProperty("id").GetInt32(), Name: c.GetProperty("name").GetString() ?? ""))
            .OrderBy(c => c.Id).ToList();
        var classOfCategory = categories.Select((c, index) => (c.Id, index)).ToDictionary(c => c.Id, c => c.index);

        var images = new Dictionary<long, (string FileName, double Width, double Height)>();
        var rows = new Dictionary<string, List<(long, float[])>>(StringComparer.Ordinal);
        foreach (var image in root.GetProperty("images").EnumerateArray())
        {
            var fileName = Path.GetFileName(image.GetProperty("file_name").GetString() ?? "");
            images[image.GetProperty("id").GetInt64()] =
                (fileName, image.GetProperty("width").GetDouble(), image.GetProperty("height").GetDouble());
            rows.TryAdd(fileName, []);
        }

        foreach (var annotation in root.GetProperty("annotations").EnumerateArray())
        {
            if (annotation.TryGetProperty("iscrowd", out var crowd) && crowd.GetInt32() != 0)
                continue;
            var image = images[annotation.GetProperty("image_id").GetInt64()];
            var box = annotation.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            if (box.Length != 4 || box[2] <= 0 || box[3] <= 0)
                continue;
            var categoryId = annotation.GetProperty("category_id").GetInt32();
            // An unknown category becomes class -1 so the checks report it instead of silently dropping it.
            var cls = classOfCategory.TryGetValue(categoryId, out var index) ? index : -1;
            float[] values =
            [
                cls,
                (float)((box[0] + box[2] / 2) / image.Width),
                (float)((box[1] + box[3] / 2) / image.Height),
                (float)(box[2] / image.Width),
                (float)(box[3] / image.Height),
            ];
            rows[image.FileName].Add((annotation.GetProperty("id").GetInt64(), values));
        }
        return new CocoAnnotations(path, categories.Select(c => c.Id).ToList(), categories.Select(c => c.Name).ToList(), rows);
    }
}
