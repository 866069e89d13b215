using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// Builds <see cref="CocoEvaluator"/> input from saved detections (<see cref="MetricsFile"/>): the predictions become
/// test.py's result json; the ground truth is either the file's own labels or a COCO instances json.
/// </summary>
internal static class CocoImages
{
    /// <summary>
    /// Ground truth = the file's labels (original pixels, as test.py scores them): bbox from the corners,
    /// area = w·h, never crowd, ids 1, 2, … Categories are the class indices 0..nc-1 (test.py's non-COCO json).
    /// Image ids are the file-name stems when all are distinct numbers (test.py's rule), otherwise 1, 2, … in
    /// name order; they only decide the order of tied scores.
    /// </summary>
    public static (List<CocoImage> Images, int[] CategoryIds) FromLabels(MetricsFile file)
    {
        var ids = ImageIds(file.Images);
        var order = Enumerable.Range(0, file.Images.Count).OrderBy(i => ids[i]).ToList();
        var images = new List<CocoImage>(order.Count);
        long annotationId = 0;
        foreach (var i in order)
        {
            var labels = file.Images[i].Labels;
            var groundTruth = new List<CocoAnnotation>(labels.GetLength(0));
            for (var r = 0; r < labels.GetLength(0); r++)
            {
                var (w, h) = (labels[r, 3] - labels[r, 1], labels[r, 4] - labels[r, 2]);
                groundTruth.Add(new CocoAnnotation(++annotationId, (int)labels[r, 0], labels[r, 1], labels[r, 2], w, h, w * h, IsCrowd: false));
            }
            images.Add(new CocoImage(ids[i], groundTruth, Detections(file.Images[i], file.DType, cls => cls)));
        }
        return (images, Enumerable.Range(0, file.ClassCount).ToArray());
    }

    /// <summary>
    /// Ground truth = the json's annotations of each image (matched by file name: crowd regions, own areas, json ids),
    /// class c predicted as the json's c-th category id (for COCO: coco80_to_coco91_class). Images sharing a json
    /// image are merged, as test.py's json would merge them.
    /// </summary>
    public static (List<CocoImage> Images, int[] CategoryIds) FromAnnotations(MetricsFile file, CocoAnnotations annotations)
    {
        if (annotations.CategoryIds.Count < file.ClassCount)
            throw new EvaluationException(
                $"{annotations.JsonPath} has {annotations.CategoryIds.Count} categories but the detections have {file.ClassCount} classes; pass the annotations json of this data set");
        var byId = new SortedDictionary<long, (string Name, List<CocoDetection> Detections)>();
        foreach (var image in file.Images)
        {
            if (image.Name is not { } name || annotations.ImageIdOf(name) is not { } id)
                throw new EvaluationException(
                    $"{annotations.JsonPath} does not list the image {image.Name ?? "(unnamed)"}; pass the instances json of the evaluated split (images are matched by file name)");
            if (!byId.TryGetValue(id, out var entry))
                byId[id] = entry = (name, []);
            entry.Detections.AddRange(Detections(image, file.DType, cls => annotations.CategoryIds[cls]));
        }
        var images = byId.Select(p => new CocoImage(p.Key, annotations.AnnotationsFor(p.Value.Name), p.Value.Detections)).ToList();
        return (images, annotations.CategoryIds.ToArray());
    }

    private static List<CocoDetection> Detections(MetricsImage image, DetectionDType dtype, Func<int, int> categoryOf)
    {
        var p = image.Predictions;
        var detections = new List<CocoDetection>(p.GetLength(0));
        for (var r = 0; r < p.GetLength(0); r++)
            detections.Add(CocoResults.FromPrediction(p[r, 0], p[r, 1], p[r, 2], p[r, 3], p[r, 4], categoryOf((int)p[r, 5]), dtype));
        return detections;
    }

    private static long[] ImageIds(IReadOnlyList<MetricsImage> images)
    {
        var stems = images.Select(i => i.Name is null ? null : Path.GetFileNameWithoutExtension(i.Name)).ToList();
        var numeric = stems.Select(s => s is { Length: > 0 and <= 18 } && s.All(char.IsAsciiDigit) ? long.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : (long?)null).ToList();
        if (numeric.All(n => n is not null) && numeric.Distinct().Count() == numeric.Count)
            return numeric.Select(n => n!.Value).ToArray();
        var ids = new long[images.Count];
        var rank = 0;
        foreach (var i in Enumerable.Range(0, images.Count).OrderBy(i => images[i].Name, StringComparer.Ordinal))
            ids[i] = ++rank;
        return ids;
    }
}
