using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Tests.Support;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Evaluation;

/// <summary>
/// DetectionScorer on predictions made by hand (no model): what a sensitivity analysis relies on when it feeds
/// the outputs of many model variants through one scorer.
/// </summary>
public sealed class DetectionScorerTests : IDisposable
{
    private const int ClassCount = 3;
    private readonly ValidationSet _set = ValidationSet.Load(
        DataYaml.Load(BccdGolden.DataYaml), "val", BccdGolden.ImageSize, BccdGolden.BatchSize, options: TestImageCache.Options);

    public void Dispose() => _set.Dispose();

    [Fact]
    public void Predicting_every_label_exactly_scores_perfect_precision_recall_and_map()
    {
        // IoU 1.0 keeps overlapping cells of one class apart, so every label survives NMS.
        var scorer = new DetectionScorer(NmsOptions.ForTest with { IouThreshold = 1.0 });
        var accumulator = new MetricsAccumulator(ClassCount);
        foreach (var batch in _set.Batches)
        {
            using var predictions = PerfectPredictions(batch);
            scorer.AddBatch(predictions, batch, accumulator);
        }
        var metrics = accumulator.Compute();

        Assert.Equal(BccdGolden.Images, metrics.Images);
        Assert.Equal(BccdGolden.Labels, metrics.Labels);
        Assert.Equal(1.0, metrics.Mp, 9);
        Assert.Equal(1.0, metrics.Mr, 9);
        // 101-point interpolation loses at most the last half step; anything below would mean a scaling mismatch.
        Assert.True(metrics.Map50 > 0.99, $"map50 {metrics.Map50}");
        Assert.True(metrics.Map > 0.99, $"map {metrics.Map}");
        Assert.True(scorer.NmsTime > TimeSpan.Zero);
    }

    [Fact]
    public void One_scorer_feeding_two_accumulators_gives_each_its_own_metrics()
    {
        var scorer = new DetectionScorer(NmsOptions.ForTest with { IouThreshold = 1.0 });
        var perfect = new MetricsAccumulator(ClassCount);
        var shifted = new MetricsAccumulator(ClassCount);
        foreach (var batch in _set.Batches)
        {
            using var good = PerfectPredictions(batch);
            using var bad = PerfectPredictions(batch, shiftPixels: 6f);
            scorer.AddBatch(good, batch, perfect);
            scorer.AddBatch(bad, batch, shifted);
        }

        var perfectMap = perfect.Compute().Map;
        var shiftedMap = shifted.Compute().Map;
        Assert.True(shiftedMap < perfectMap - 0.1, $"shifted boxes {shiftedMap} vs exact {perfectMap}");
        Assert.Equal(BccdGolden.Images, shifted.ImageCount);
    }

    [Fact]
    public void Labels_scaled_back_equal_the_label_files_in_original_pixels()
    {
        foreach (var image in _set.Images)
        {
            var rows = DetectionScorer.ToOriginalLabels(image);
            Assert.Equal(image.SourceLabels.Count, rows.GetLength(0));
            for (var i = 0; i < image.SourceLabels.Count; i++)
            {
                var l = image.SourceLabels[i];
                var (w0, h0) = (image.OriginalWidth, image.OriginalHeight);
                Assert.Equal(l.Class, rows[i, 0]);
                // The letterbox round trip goes through 320-pixel float32 math; a tenth of an original pixel is plenty.
                Assert.Equal((l.CenterX - l.Width / 2) * w0, rows[i, 1], 0.1);
                Assert.Equal((l.CenterY - l.Height / 2) * h0, rows[i, 2], 0.1);
                Assert.Equal((l.CenterX + l.Width / 2) * w0, rows[i, 3], 0.1);
                Assert.Equal((l.CenterY + l.Height / 2) * h0, rows[i, 4], 0.1);
            }
        }
    }

    [Fact]
    public void Predictions_for_a_different_batch_size_or_class_count_are_rejected()
    {
        var batch = _set.Batches[0];
        var scorer = new DetectionScorer();
        using var tooFew = zeros(batch.Count - 1, 10, 5 + ClassCount);
        using var wrongClasses = zeros(batch.Count, 10, 5 + 80);

        Assert.Throws<ArgumentException>(() => scorer.AddBatch(tooFew, batch, new MetricsAccumulator(ClassCount)));
        Assert.Throws<ArgumentException>(() => scorer.AddBatch(wrongClasses, batch, new MetricsAccumulator(ClassCount)));
    }

    // A decoded head output [Count, rows, 5 + nc] holding one certain detection per label (letterboxed xywh pixels),
    // optionally shifted right; unused rows have objectness 0 and fall below any confidence threshold.
    private static Tensor PerfectPredictions(ValidationBatch batch, float shiftPixels = 0f)
    {
        var rows = Math.Max(1, batch.Images.Max(i => i.Labels.Count));
        var width = 5 + ClassCount;
        var values = new float[batch.Count * rows * width];
        for (var b = 0; b < batch.Count; b++)
        {
            var labels = batch.Images[b].Labels;
            for (var r = 0; r < labels.Count; r++)
            {
                var l = labels[r];
                var at = (b * rows + r) * width;
                values[at] = (l.X1 + l.X2) / 2 + shiftPixels;
                values[at + 1] = (l.Y1 + l.Y2) / 2;
                values[at + 2] = l.X2 - l.X1;
                values[at + 3] = l.Y2 - l.Y1;
                values[at + 4] = 1f;
                values[at + 5 + l.Class] = 1f;
            }
        }
        return tensor(values, [batch.Count, rows, width]);
    }
}
