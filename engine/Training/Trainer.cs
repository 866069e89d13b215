using System.Diagnostics;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Training.Data;
using PruneCluster.Engine.Training.Loss;
using PruneCluster.Engine.Training.Optim;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Training;

/// <summary>
/// YOLOv7's train.py loop on one device: SGD (Nesterov) over its three parameter groups, warm-up, one-cycle or
/// linear lr, gradient accumulation to the nominal batch (64 as train.py, or <see cref="TrainingOptions.NominalBatch"/>), EMA,
/// the OTA or plain loss as the hyp says (P6 models: train_aux.py's auxiliary OTA loss on the main and auxiliary
/// outputs), per-epoch
/// validation of the fused EMA model, <c>results.csv</c>, <c>last.pt</c> / <c>best.pt</c> (EMA weights with the
/// pruning history) and a resume state after every epoch. A run is repeatable: the loader derives every random
/// choice from (seed, epoch, image) and the state restores everything else, so an interrupted and resumed run
/// ends with the weights an uninterrupted one would have (same device and thread count).
/// </summary>
/// <remarks>
/// What differs from train.py: no AMP, DDP, multi-scale, image weights, autoanchor or W&amp;B; validation reports
/// no validation loss; P6 models accept <c>Freeze</c> (train_aux.py has no --freeze).
/// </remarks>
public sealed class Trainer(TrainingRunFolder folder, TrainingOptions options)
{
    /// <summary>test.py's defaults when train.py calls it: conf 0.001, IoU 0.6 (not the CLI's 0.65).</summary>
    public static readonly NmsOptions ValidationNms = NmsOptions.ForTest with { IouThreshold = 0.6 };

    /// <summary>
    /// Trains <paramref name="model"/> (in place) and returns every epoch's row. With <paramref name="resume"/> the
    /// folder's state is restored first and training continues at the next epoch.
    /// </summary>
    public IReadOnlyList<EpochResult> Run(YoloModel model, PruningPlan history, IReadOnlyList<string> names, DataYaml data,
        bool resume, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        ModelEvaluator.CheckClassCount(model, data, "the model");
        var device = model.parameters().First().device;
        var trainSet = TrainingSet.Load(data, "train");
        using var loader = new TrainingLoader(trainSet, new TrainingLoaderOptions
        {
            ImageSize = options.ImageSize, BatchSize = options.BatchSize, Workers = options.Workers, Seed = options.Seed,
            CacheImages = options.CacheImages, Device = device,
            Shuffle = false, // train.py's single-process DataLoader has no sampler and no shuffle: sorted order every epoch
        }, AugmentationFrom(options.Hyp));
        using var validation = ValidationSet.Load(data, "val", options.ImageSize, options.BatchSize * 2, ModelEvaluator.GridSize(model));

        Freeze(model, options.Freeze);
        var nb = loader.BatchCount;
        var warmup = new Warmup(options.Hyp.WarmupEpochs, nb, options.BatchSize, options.Hyp.WarmupBiasLr, options.Hyp.WarmupMomentum, options.Hyp.Momentum,
            options.MinWarmupIterations, options.NominalBatch);
        var accumulate = warmup.SteadyAccumulation;
        // train.py scales weight decay with the effective batch, and box/cls/obj with levels, classes and image size.
        var weightDecay = options.Hyp.WeightDecay * options.BatchSize * accumulate / warmup.NominalBatch;
        using TrainingOptimizer optimizer = options.Adam
            ? new AdamL2(ParameterGroups.Of(model), options.Hyp.Lr0, options.Hyp.Momentum, weightDecay)
            : new NesterovSgd(ParameterGroups.Of(model), options.Hyp.Lr0, options.Hyp.Momentum, weightDecay);
        var schedule = new LearningRateSchedule(options.Epochs, options.Hyp.Lrf, options.LinearLr);
        var loss = new YoloLoss(model.Head, options.Hyp.ScaledFor(model.Head.Levels, model.Nc, options.ImageSize),
            YoloLoss.KindFor(model.Head, options.Hyp.LossOta));

        var rows = new List<EpochResult>();
        var startEpoch = 0;
        var bestFitness = 0.0;
        // train.py builds the EMA first, then rounds the model: model.half().float() "pre-reduce anchor precision".
        using var ema = new ModelEma(model);
        if (resume)
        {
            var (epoch, best, updates, _) = TrainingState.Restore(folder.StatePath, model, ema.Model, optimizer);
            ema.Updates = updates;
            (startEpoch, bestFitness) = (epoch + 1, best);
            rows = folder.ReadResults().Where(r => r.Epoch <= epoch).ToList();
        }
        else
        {
            RoundToHalf(model);
            folder.WriteResults(rows);
        }

        var clock = new RunClock(options.Epochs - startEpoch, nb);
        for (var epoch = startEpoch; epoch < options.Epochs; epoch++)
        {
            model.train();
            var epochClock = Stopwatch.StartNew();
            double box = 0, obj = 0, cls = 0;
            var seen = 0;
            var lastBatchEnd = TimeSpan.Zero; // batch times include waiting for the loader
            optimizer.ZeroGrad();
            foreach (var batch in loader.Epoch(epoch, cancellationToken))
            {
                using var _ = batch;
                var i = batch.Index;
                var ni = i + (long)nb * epoch;
                if (warmup.Applies(ni))
                {
                    accumulate = warmup.Accumulation(ni);
                    for (var j = 0; j < optimizer.Groups.Count; j++)
                    {
                        optimizer.SetLearningRate(j, warmup.LearningRate(ni, j, optimizer.Groups[j].InitialLr * schedule.Factor(epoch)));
                        optimizer.SetMomentum(j, warmup.Momentum(ni));
                    }
                }
                LossValues values;
                using (var scope = NewDisposeScope())
                {
                    var predictions = model.ForwardRaw(batch.Images, includeAux: loss.UsesAux);
                    using var output = loss.Compute(predictions, batch.Targets, batch.Images.shape[2]);
                    output.Total.backward();
                    values = output.Read();
                }
                if (ni % accumulate == 0)
                {
                    optimizer.Step();
                    optimizer.ZeroGrad();
                    ema.Update(model);
                }
                // train.py's running mean: mloss = (mloss * i + loss_items) / (i + 1).
                (box, obj, cls) = ((box * i + values.Lbox) / (i + 1), (obj * i + values.Lobj) / (i + 1), (cls * i + values.Lcls) / (i + 1));
                seen += batch.Count;
                clock.BatchDone(epochClock.Elapsed - lastBatchEnd);
                lastBatchEnd = epochClock.Elapsed;
                progress?.Report(new TrainingProgress(epoch, options.Epochs, i + 1, nb, box, obj, cls,
                    seen / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9), clock.Remaining(epoch - startEpoch, i + 1)));
                cancellationToken.ThrowIfCancellationRequested();
            }
            var lrs = optimizer.Groups.Select(g => g.Lr).ToList();
            var trainSeconds = epochClock.Elapsed.TotalSeconds;
            // LambdaLR.step(): the next epoch's lr.
            for (var j = 0; j < optimizer.Groups.Count; j++)
                optimizer.SetLearningRate(j, optimizer.Groups[j].InitialLr * schedule.Factor(epoch + 1));

            var final = epoch + 1 == options.Epochs;
            var metrics = options.ValidateEveryEpoch || final ? Validate(ema.Model, validation, names, cancellationToken, clock) : null;
            var row = new EpochResult(epoch, box, obj, cls, metrics?.Mp, metrics?.Mr, metrics?.Map50, metrics?.Map, lrs, trainSeconds, seen);
            // train.py: best_fitness = max(best_fitness, fi); best.pt is saved whenever fi equals it (ties too).
            bestFitness = Math.Max(bestFitness, row.Fitness);
            rows.Add(row);
            // Weights and results first, then the state that points past them: an interruption before the state is
            // written redoes the epoch (resume drops result rows beyond the state's epoch).
            ModelFile.Save(folder.LastPath, ema.Model, history, names, options.CheckpointFormat, bestFitness);
            if (row.Fitness == bestFitness)
                ModelFile.Save(folder.BestPath, ema.Model, history, names, options.CheckpointFormat, bestFitness);
            folder.WriteResults(rows);
            TrainingState.Save(folder.StatePath, model, ema, optimizer, epoch, bestFitness, folder.RunJson);
            progress?.Report(new TrainingProgress(epoch, options.Epochs, nb, nb, box, obj, cls, seen / trainSeconds, clock.Remaining(epoch - startEpoch + 1, 0), row));
        }
        folder.WritePlots(rows);
        return rows;
    }

    private static DetectionMetrics Validate(YoloModel ema, ValidationSet set, IReadOnlyList<string> names, CancellationToken cancellationToken, RunClock clock)
    {
        var watch = Stopwatch.StartNew();
        using var fused = ModelBuilder.Copy(ema);
        fused.eval();
        fused.Fuse();
        var result = ModelEvaluator.Evaluate(fused, set, new EvaluationOptions { Nms = ValidationNms, ClassNames = names }, null, cancellationToken);
        clock.ValidationDone(watch.Elapsed);
        return result.Metrics;
    }

    private static AugmentationOptions AugmentationFrom(Hyp.Hyperparameters hyp) => new()
    {
        hsv_h = hyp.HsvH, hsv_s = hyp.HsvS, hsv_v = hyp.HsvV, degrees = hyp.Degrees, translate = hyp.Translate,
        scale = hyp.Scale, shear = hyp.Shear, perspective = hyp.Perspective, flipud = hyp.Flipud, fliplr = hyp.Fliplr,
        mosaic = hyp.Mosaic, mixup = hyp.Mixup, paste_in = hyp.PasteIn, copy_paste = hyp.CopyPaste,
    };

    /// <summary>train.py's <c>--freeze N</c>: parameters under <c>model.0.</c> … <c>model.N-1.</c> get no gradient.</summary>
    private static void Freeze(YoloModel model, int rows)
    {
        var prefixes = Enumerable.Range(0, rows).Select(r => $"model.{r}.").ToArray();
        foreach (var (name, parameter) in model.named_parameters())
            parameter.requires_grad = !prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));
    }

    private static void RoundToHalf(YoloModel model)
    {
        using var _ = no_grad();
        foreach (var (_, tensor) in StateDict.Ordered(model))
        {
            if (tensor.dtype == ScalarType.Float32)
            {
                using var scope = NewDisposeScope();
                tensor.copy_(tensor.to(ScalarType.Float16).to(ScalarType.Float32));
            }
        }
    }
}
