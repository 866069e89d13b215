using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// Saved detections of a validation run in the layout <c>test --save-predictions</c> writes: <c>nc</c>, and per
/// image <c>labels</c> (<c>[cls, x1, y1, x2, y2]</c>) and <c>predictions</c> (<c>[x1, y1, x2, y2, conf, cls]</c>) in
/// pixels. Optional extras that the golden file does not have: <c>names</c>, <c>dtype</c>
/// (<c>"float32"</c>/<c>"float64"</c>, see <see cref="DetectionDType"/>; absent means float32), an image <c>name</c>, and
/// <c>expected</c> (the metrics computed when the file was written).
/// </summary>
/// <param name="ClassCount">Number of classes of the model (<c>nc</c>).</param>
/// <param name="Images">Every scored image, including those without labels or predictions.</param>
public sealed record MetricsFile(int ClassCount, IReadOnlyList<MetricsImage> Images)
{
    /// <summary>Class names by id, when known.</summary>
    public IReadOnlyList<string>? Names { get; init; }

    /// <summary>Tensor dtype that test.py would have scored these detections in.</summary>
    public DetectionDType DType { get; init; } = DetectionDType.Float32;

    /// <summary>Metrics stored with the detections (the golden file's <c>expected</c>), if any.</summary>
    public DetectionMetrics? Expected { get; init; }

    /// <summary>Free text describing the file.</summary>
    public string? Description { get; init; }

    /// <summary>Reads and validates a file; any problem becomes a <see cref="MetricsFileException"/> naming it.</summary>
    public static MetricsFile Read(string path) => MetricsFileJson.Read(path);

    /// <summary>Writes the file (compact JSON; numbers round-trip exactly).</summary>
    public void Write(string path) => MetricsFileJson.Write(this, path);

    /// <summary>
    /// Scores the detections COCO-style, exactly as test.py's <c>--save-json</c> file would be scored by pycocotools
    /// (see <see cref="CocoEvaluator"/>). Ground truth: <paramref name="annotations"/> when given (each image found
    /// by its file name in the json: crowd regions, the json's areas), otherwise the file's labels (area = box
    /// width × height, no crowd).
    /// </summary>
    public CocoMetrics ScoreCoco(CocoAnnotations? annotations = null)
    {
        var (images, categories) = annotations is null ? CocoImages.FromLabels(this) : CocoImages.FromAnnotations(this, annotations);
        return CocoEvaluator.Evaluate(images, categories);
    }

    /// <summary>Re-scores the detections exactly as test.py would.</summary>
    public DetectionMetrics Score()
    {
        var accumulator = new MetricsAccumulator(ClassCount, DType);
        foreach (var image in Images)
            accumulator.AddImage(image.Predictions, image.Labels, image.Name);
        return accumulator.Compute();
    }
}
