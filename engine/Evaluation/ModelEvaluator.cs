using System.Diagnostics;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// YOLOv7's test.py loop for one model: every rect batch through the model (eval mode, no autograd, on the model's
/// device), NMS and scoring via <see cref="DetectionScorer"/>, then ap_per_class. Fusing is left to the caller, as
/// the paper fuses after pruning (<c>model.float().fuse().eval()</c>) but a caller may want the unfused model.
/// </summary>
public static class ModelEvaluator
{
    /// <summary>
    /// test.py's grid size for the loader: the model's largest stride, at least 32 (<c>gs = max(int(model.stride.max()), 32)</c>).
    /// Pass it as the stride of <see cref="ValidationSet.Load"/>.
    /// </summary>
    public static int GridSize(YoloModel model) => Math.Max((int)model.Head.Strides.Max(), 32);

    /// <summary>
    /// Throws <see cref="EvaluationException"/> unless the model predicts as many classes as the data yaml declares.
    /// test.py does not check this and crashes or mis-scores later; we refuse up front.
    /// </summary>
    /// <param name="modelSource">How to name the model in the message (its checkpoint path).</param>
    public static void CheckClassCount(YoloModel model, DataYaml data, string modelSource)
    {
        if (model.Nc != data.ClassCount)
            throw new EvaluationException(
                $"{modelSource} predicts {model.Nc} classes but {data.YamlPath} has nc: {data.ClassCount}; evaluate a model trained on this data set (or a data yaml with its classes)");
    }

    /// <summary>Evaluates <paramref name="model"/> on every batch of <paramref name="set"/>.</summary>
    /// <param name="model">Put in eval mode; its weights are not changed. Inputs go to the device of its parameters.</param>
    /// <param name="set">The split, loaded with this model's <see cref="GridSize"/>; its nc must equal the model's.</param>
    /// <param name="options">NMS thresholds etc.; null means test.py's defaults.</param>
    /// <param name="progress">Told after every batch (synchronously, on the evaluating thread when it is an <see cref="IProgress{T}"/> that does not post).</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    public static EvaluationResult Evaluate(YoloModel model, ValidationSet set, EvaluationOptions? options = null,
        IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new EvaluationOptions();
        CheckClassCount(model, set.Data, "the model");
        var device = model.parameters().First().device;
        var imageCount = set.Images.Count;
        var accumulator = new MetricsAccumulator(model.Nc);
        var scorer = new DetectionScorer(options.Nms);
        var inference = TimeSpan.Zero;
        var wall = Stopwatch.StartNew();

        model.eval();
        using (no_grad())
        {
            var imagesDone = 0;
            foreach (var batch in set.Batches)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var images = batch.CreateImages(device);
                Synchronize(device);
                var clock = Stopwatch.StartNew();
                var predictions = model.forward(images);
                // CUDA runs asynchronously; without waiting, the NMS copy would be charged the inference time.
                Synchronize(device);
                inference += clock.Elapsed;
                scorer.AddBatch(predictions, batch, accumulator);
                imagesDone += batch.Count;
                progress?.Report(new EvaluationProgress(batch.Index + 1, set.Batches.Count, imagesDone, imageCount, wall.Elapsed));
            }
        }

        var elapsed = wall.Elapsed;
        var speed = EvaluationSpeed.PerImage(inference, scorer.NmsTime, accumulator.ImageCount, set.Settings.ImageSize, set.Settings.BatchSize);
        // The file carries the metrics as its Expected, so ap_per_class runs once.
        var detections = accumulator.ToMetricsFile(options.ClassNames ?? set.Data.Names) with
        {
            Description = $"{set.Settings.Split} split of {set.Data.YamlPath} at img {set.Settings.ImageSize}, batch {set.Settings.BatchSize}, " +
                          $"conf {options.Nms.ConfThreshold}, iou {options.Nms.IouThreshold}",
        };
        var metrics = detections.Expected!;
        ModelStats? stats = options.MeasureModel ? ModelMeasure.Measure(model, set.Settings.ImageSize) : null;
        return new EvaluationResult(metrics, speed, stats?.Params, stats?.ParamsFused, stats?.Gflops, elapsed, detections);
    }

    /// <summary>Waits for the device's queued work (CUDA), so a clock read after it measures the work; no-op on the CPU.</summary>
    internal static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA)
            torch.cuda.synchronize(device);
    }
}
