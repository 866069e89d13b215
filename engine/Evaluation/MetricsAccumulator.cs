using TorchSharp;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// Collects per-image detections and labels during a validation pass and turns them into test.py's metrics.
/// Each image is matched as it arrives (test.py's statistics loop); <see cref="Compute"/> runs
/// <c>ap_per_class</c> and the summary over everything added so far.
/// </summary>
public sealed class MetricsAccumulator
{
    private readonly List<MetricsImage> _images = [];
    private readonly List<ImageStatistics> _statistics = [];

    /// <summary>Creates an empty accumulator.</summary>
    /// <param name="classCount">Number of classes of the model (<c>nc</c>).</param>
    /// <param name="dtype">Tensor dtype test.py would score in; float32 (the default) is what a model produces.</param>
    public MetricsAccumulator(int classCount, DetectionDType dtype = DetectionDType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ClassCount = classCount;
        DType = dtype;
    }

    /// <summary>Number of classes (<c>nc</c>).</summary>
    public int ClassCount { get; }

    /// <summary>Tensor dtype that scoring imitates (rounding of boxes, confidences and IoUs).</summary>
    public DetectionDType DType { get; }

    /// <summary>Number of images added (test.py's <c>seen</c>).</summary>
    public int ImageCount => _images.Count;

    /// <summary>Adds one image.</summary>
    /// <param name="predictions">[n, 6] rows x1, y1, x2, y2, conf, cls in pixels, in NMS order.</param>
    /// <param name="labels">[m, 5] rows cls, x1, y1, x2, y2 in the same pixels.</param>
    /// <param name="name">Optional image identifier kept for <see cref="ToMetricsFile"/>.</param>
    public void AddImage(double[,] predictions, double[,] labels, string? name = null)
    {
        // Copies, so that a caller reusing its buffers cannot change what was scored or will be saved.
        predictions = (double[,])Normalise(predictions, 6, "predictions").Clone();
        labels = (double[,])Normalise(labels, 5, "labels").Clone();
        CheckClasses(predictions, 5, "predictions");
        CheckClasses(labels, 0, "labels");

        var correct = DetectionMatcher.Match(predictions, labels, DType);
        var n = predictions.GetLength(0);
        // test.py keeps pred[:, 4] of the (float32) tensor; the rounded confidences are the knots of the P/R curves.
        _statistics.Add(new ImageStatistics(
            correct,
            Enumerable.Range(0, n).Select(i => DType == DetectionDType.Float32 ? (float)predictions[i, 4] : predictions[i, 4]).ToArray(),
            Enumerable.Range(0, n).Select(i => (int)predictions[i, 5]).ToArray(),
            Enumerable.Range(0, labels.GetLength(0)).Select(i => (int)labels[i, 0]).ToArray()));
        _images.Add(new MetricsImage(labels, predictions, name));
    }

    /// <summary>Adds one image given as tensors (any float dtype, any device): predictions [n, 6], labels [m, 5].</summary>
    public void AddImage(Tensor predictions, Tensor labels, string? name = null) =>
        AddImage(ToRows(predictions, 6, "predictions"), ToRows(labels, 5, "labels"), name);

    /// <summary>test.py's summary over all images added so far.</summary>
    public DetectionMetrics Compute() => MetricsSummary.Summarise(_statistics, ClassCount, ImageCount);

    /// <summary>Everything added, in the golden-file layout, with the current metrics as <c>expected</c>.</summary>
    public MetricsFile ToMetricsFile(IReadOnlyList<string>? names = null)
    {
        if (names is not null && names.Count != ClassCount)
            throw new ArgumentException($"names has {names.Count} entries but the model has {ClassCount} classes", nameof(names));
        return new MetricsFile(ClassCount, _images.ToArray())
        {
            Names = names,
            DType = DType,
            Expected = Compute(),
        };
    }

    /// <summary>Writes <see cref="ToMetricsFile"/> to <paramref name="path"/> (what <c>test --save-predictions</c> saves).</summary>
    public void Save(string path, IReadOnlyList<string>? names = null) => ToMetricsFile(names).Write(path);

    // An empty double[0, 0] is accepted for "no rows" so that callers need not know the column count.
    private static double[,] Normalise(double[,] rows, int columns, string what)
    {
        if (rows.GetLength(0) == 0)
            return new double[0, columns];
        if (rows.GetLength(1) != columns)
            throw new ArgumentException($"{what} must be [n, {columns}], got [{rows.GetLength(0)}, {rows.GetLength(1)}]", what);
        return rows;
    }

    private void CheckClasses(double[,] rows, int column, string what)
    {
        for (var r = 0; r < rows.GetLength(0); r++)
        {
            var cls = rows[r, column];
            if (cls != Math.Floor(cls) || cls < 0 || cls >= ClassCount)
                throw new ArgumentException($"{what} row {r} has class {cls}, expected an integer in 0..{ClassCount - 1}", what);
        }
    }

    private static double[,] ToRows(Tensor tensor, int columns, string what)
    {
        if (tensor.numel() == 0)
            return new double[0, columns];
        if (tensor.dim() != 2 || tensor.shape[1] != columns)
            throw new ArgumentException($"{what} tensor must be [n, {columns}], got [{string.Join(", ", tensor.shape)}]", what);
        using var scope = NewDisposeScope();
        var values = tensor.detach().cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var rows = new double[tensor.shape[0], columns];
        Buffer.BlockCopy(values, 0, rows, 0, values.Length * sizeof(double));
        return rows;
    }
}
