using System.Text.Json;

namespace PruneCluster.Engine.Data;

/// <summary>
/// A COCO <c>instances_*.json</c> read as YOLO labels, converted the way Ultralytics' JSON2YOLO made the YOLO .txt
/// files of COCO: crowd annotations skipped, [x, y, w, h] top-left pixel boxes turned into centre/size fractions of
/// the image's json width/height, boxes with no width or height skipped, and the category id replaced by its rank
/// among the sorted category ids (for COCO that is the 80-class index, the inverse of YOLOv7's coco80_to_coco91_class).
/// Values keep full precision (rounded once to float32), where a .txt export rounds them to 6 decimals.
/// <para>
/// COCO evaluation needs what that conversion drops: <see cref="AnnotationsFor"/> and <see cref="ImageIdOf"/> give
/// every annotation of an image as the json has it (crowd regions, own areas, degenerate boxes), as pycocotools
/// loads them.
/// </para>
/// </summary>
public sealed class CocoAnnotations
{
    private readonly Dictionary<string, List<(long AnnotationId, float[] Values)>> _rowsByFileName;
    private readonly Dictionary<string, (long ImageId, List<CocoAnnotation> Annotations)> _objectsByFileName;

    private CocoAnnotations(string jsonPath, IReadOnlyList<int> categoryIds, IReadOnlyList<string> categoryNames,
        Dictionary<string, List<(long, float[])>> rowsByFileName, Dictionary<string, (long ImageId, List<CocoAnnotation> Annotations)> objectsByFileName)
    {
        JsonPath = jsonPath;
        CategoryIds = categoryIds;
        CategoryNames = categoryNames;
        _rowsByFileName = rowsByFileName;
        _objectsByFileName = objectsByFileName;
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

    /// <summary>The json's image id for this file name (the first, if two images share a name); null when not listed.</summary>
    public long? ImageIdOf(string imagePath) =>
        _objectsByFileName.TryGetValue(Path.GetFileName(imagePath), out var entry) ? entry.ImageId : null;

    /// <summary>
    /// Every annotation of the image whose category the json lists, in json order, crowd regions and zero-size boxes
    /// included (pycocotools keeps them); empty when the json does not list the image.
    /// </summary>
    public IReadOnlyList<CocoAnnotation> AnnotationsFor(string imagePath) =>
        _objectsByFileName.TryGetValue(Path.GetFileName(imagePath), out var entry) ? entry.Annotations : [];

    /// <summary>
    /// Throws <see cref="DatasetException"/> unless the json fits <paramref name="split"/> of <paramref name="data"/>:
    /// as many categories as the yaml's nc, and every image of the split listed (by file name). Cheap: lists the
    /// split's files without decoding them. An image missing from the json would silently count as having no objects.
    /// </summary>
    public void CheckMatches(DataYaml data, string split)
    {
        if (CategoryIds.Count != data.ClassCount)
            throw new DatasetException(
                $"{JsonPath} has {CategoryIds.Count} categories but {data.YamlPath} has nc: {data.ClassCount}; pass the annotations json of this data set");
        var where = $"'{split}:' entry of {data.YamlPath}";
        var images = ImageListing.List(data.Split(split), where).Where(File.Exists).ToList();
        var missing = images.Where(i => !HasImage(i)).ToList();
        if (missing.Count > 0)
            throw new DatasetException(
                $"{JsonPath} does not list {missing.Count} of the {images.Count} images of the {where} (first: {Path.GetFileName(missing[0])}); " +
                "pass the instances json of that split (images are matched by file name)");
    }

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
        var objects = new Dictionary<string, (long ImageId, List<CocoAnnotation> Annotations)>(StringComparer.Ordinal);
        foreach (var image in root.GetProperty("images").EnumerateArray())
        {
            var fileName = Path.GetFileName(image.GetProperty("file_name").GetString() ?? "");
            var imageId = image.GetProperty("id").GetInt64();
            images[imageId] = (fileName, image.GetProperty("width").GetDouble(), image.GetProperty("height").GetDouble());
            rows.TryAdd(fileName, []);
            objects.TryAdd(fileName, (imageId, []));
        }

        foreach (var annotation in root.GetProperty("annotations").EnumerateArray())
        {
            var isCrowd = annotation.TryGetProperty("iscrowd", out var crowd) && crowd.GetInt32() != 0;
            var imageId = annotation.GetProperty("image_id").GetInt64();
            // The label conversion never looked at crowd rows, so one naming an unlisted image stays harmless.
            if (isCrowd && !images.ContainsKey(imageId))
                continue;
            var image = images[imageId];
            var box = annotation.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var categoryId = annotation.GetProperty("category_id").GetInt32();
            // pycocotools drops annotations of unlisted categories (getAnnIds with catIds); a bbox that is not four
            // numbers would crash its IoU, so it is left out here as in the YOLO conversion below.
            if (box.Length == 4 && classOfCategory.ContainsKey(categoryId))
            {
                // Hand-written jsons often omit area and iscrowd; pycocotools needs them, we take w·h and 0.
                var area = annotation.TryGetProperty("area", out var a) ? a.GetDouble() : box[2] * box[3];
                objects[image.FileName].Annotations.Add(new CocoAnnotation(annotation.GetProperty("id").GetInt64(), categoryId,
                    box[0], box[1], box[2], box[3], area, isCrowd));
            }

            if (isCrowd || box.Length != 4 || box[2] <= 0 || box[3] <= 0)
                continue;
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
        return new CocoAnnotations(path, categories.Select(c => c.Id).ToList(), categories.Select(c => c.Name).ToList(), rows, objects);
    }
}
