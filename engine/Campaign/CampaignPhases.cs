using System.Globalization;
using System.Text.Json;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Runtime;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Engine.Training;
using PruneCluster.Engine.Training.Optim;
using PruneCluster.Engine.Training.Hyp;
using TorchSharp;

namespace PruneCluster.Engine.Campaign;

/// <summary>
/// Runs a campaign's phases other than the sensitivity analysis (which <see cref="SensitivityAnalysis"/> runs): measure
/// a checkpoint, prune it, fine-tune it, select layers. The local driver and the cluster's silo jobs both call these,
/// so a phase computes the same thing wherever it runs. Every phase is safe to repeat (jobs are retried): its output
/// is written atomically and a repeated fine-tune resumes or returns the finished run.
/// </summary>
/// <param name="spec">The campaign's settings: image size, batch and NMS thresholds of every evaluation (its
/// sensitivity section), criterion and seed of pruning, the fine-tune recipe and the selection.</param>
/// <param name="dataYamlPath">The data yaml: its val split is evaluated, its train split fine-tuned on.</param>
/// <param name="device">As the CLI's <c>--device</c>: <c>cpu</c> or <c>cuda:N</c>.</param>
/// <param name="workers">Loader threads of fine-tuning (they do not change its result).</param>
public sealed class CampaignPhases(CampaignSpec spec, string dataYamlPath, string device = "cpu", int workers = 2)
{
    // Resolved once, so a bad device string fails when the phases are set up, not halfway through a job.
    private readonly torch.Device _device = DeviceName.Resolve(device);

    /// <summary>
    /// Fused parameters, GFLOPs at the spec's image size and mAP@.5 / mAP@.5:.95 on the val split at the spec's image
    /// size, batch and NMS thresholds: the numbers <c>prunecluster test</c> prints for the same options.
    /// </summary>
    public ModelMetrics Measure(string checkpoint, CancellationToken ct = default)
    {
        var data = DataYaml.Load(dataYamlPath);
        using var loaded = Open(checkpoint);
        ModelEvaluator.CheckClassCount(loaded.Model, data, checkpoint);
        var model = loaded.Model.Fuse();
        var grid = ModelEvaluator.GridSize(model);
        using var set = ValidationSet.Load(data, "val", ImageSize(model), spec.Sensitivity.Batch, grid);
        var result = ModelEvaluator.Evaluate(model, set, new EvaluationOptions { Nms = Nms, ClassNames = Names(loaded, data) }, null, ct);
        return new ModelMetrics(result.ParamsFused!.Value, result.Gflops!.Value, result.Metrics.Map50, result.Metrics.Map,
            Path.GetFullPath(checkpoint));
    }

    /// <summary>
    /// The sensitivity analysis of <paramref name="checkpoint"/> into <paramref name="outputDir"/> (the paper's files
    /// and analysis.json), as <c>prunecluster sensitivity</c> runs it with the spec's options; a folder holding part
    /// of the same analysis is completed, one of another analysis is refused.
    /// </summary>
    public IReadOnlyList<SensitivityResult> Sensitivity(string checkpoint, string outputDir, IProgress<SensitivityProgress>? progress = null, CancellationToken ct = default)
    {
        var data = DataYaml.Load(dataYamlPath);
        using var loaded = Open(checkpoint);
        ModelEvaluator.CheckClassCount(loaded.Model, data, checkpoint);
        var analysis = new SensitivityAnalysis(loaded, data, ImageSize(loaded.Model), spec.Sensitivity.Batch, SensitivityOptions);
        return analysis.Run(outputDir, progress, ct);
    }

    /// <summary>The options of every iteration's sensitivity analysis.</summary>
    public SensitivityOptions SensitivityOptions =>
        new(spec.Sensitivity.Rates, (Criterion)spec.Sensitivity.Criterion, spec.Sensitivity.Seed, Nms: Nms, RoundTo: spec.Selection.RoundTo);

    /// <summary>test's --img rule (check_img_size): the spec's size rounded up to a multiple of the model's largest stride.</summary>
    public int ImageSize(YoloModel model) => checked((int)ModelBuilder.MakeDivisible(spec.Sensitivity.Img, ModelEvaluator.GridSize(model)));

    private NmsOptions Nms => NmsOptions.ForTest with { ConfThreshold = spec.Sensitivity.Conf, IouThreshold = spec.Sensitivity.Iou };

    /// <summary>
    /// Prunes <paramref name="inputCheckpoint"/> by <paramref name="layers"/> — the filters <c>prunecluster prune</c>
    /// removes with the spec's criterion and seed, ranked in the checkpoint's stored precision (prune's default) —,
    /// saves it atomically to <paramref name="outputCheckpoint"/> with its pruning history in <paramref name="format"/>,
    /// and measures the saved file.
    /// </summary>
    public ModelMetrics Prune(string inputCheckpoint, IReadOnlyList<LayerRate> layers, string outputCheckpoint, CancellationToken ct = default,
        ModelFileFormat format = ModelFileFormat.Yolov7)
    {
        var data = DataYaml.Load(dataYamlPath);
        using (var loaded = Open(inputCheckpoint))
        {
            ModelEvaluator.CheckClassCount(loaded.Model, data, inputCheckpoint);
            var prunable = loaded.Model.PrunableLayers.Count;
            if (layers.FirstOrDefault(l => l.Layer < 0 || l.Layer >= prunable, new LayerRate(-1, 0)) is { Layer: >= 0 } bad)
                throw new PruningException($"pruning list {PruningParams.Format(layers)}: layer {bad.Layer} does not exist; {inputCheckpoint} has prunable layers 0..{prunable - 1}");
            ct.ThrowIfCancellationRequested();
            var importance = new FilterImportance((Criterion)spec.Sensitivity.Criterion, spec.Sensitivity.Seed, ImportancePrecision.Stored);
            var plan = Pruner.Prune(ConnectivityGraph.Build(loaded.Model), layers, importance, spec.Selection.RoundTo);
            ModelFile.Save(outputCheckpoint, loaded.Model, loaded.History.Then(plan), loaded.ClassNames, format);
        }
        return Measure(outputCheckpoint, ct);
    }

    /// <summary>
    /// Fine-tunes <paramref name="prunedCheckpoint"/> with the spec's recipe (YOLOv7's train.py, <see cref="Trainer"/>)
    /// in <paramref name="runDirectory"/> and measures its <c>best.pt</c>. A folder holding an unfinished run of the
    /// same checkpoint and recipe is resumed from its last finished epoch (a job moved to another silo continues); a
    /// finished one is measured without training again. With 0 epochs the pruned model is the result.
    /// </summary>
    /// <exception cref="InvalidDataException">The folder holds a run of another checkpoint or recipe.</exception>
    public ModelMetrics FineTune(string prunedCheckpoint, string runDirectory, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default)
    {
        var tune = spec.FineTune;
        if (tune.Epochs == 0)
            return Measure(prunedCheckpoint, ct);
        var data = DataYaml.Load(dataYamlPath);
        var hyp = HyperparameterFile.Load(tune.Hyp);
        var options = new TrainingOptions(hyp, tune.Hyp, tune.Epochs, tune.BatchSize, spec.Sensitivity.Img, workers,
            MinWarmupIterations: tune.MinWarmupIters, NominalBatch: tune.NominalBatch, Adam: tune.Adam);
        var folder = new TrainingRunFolder(runDirectory, RunJson(prunedCheckpoint, hyp, options));
        var started = File.Exists(folder.StatePath);
        if (started)
        {
            var recorded = File.Exists(folder.RunPath) ? File.ReadAllText(folder.RunPath) : null;
            if (recorded != folder.RunJson)
                throw new InvalidDataException($"{folder.Path} holds a fine-tuning run of another checkpoint or recipe (its run.json differs); remove the folder or give another one");
            // Weights are saved before the results row, so a run with all its rows has its final best.pt.
            if (folder.ReadResults().Count >= tune.Epochs)
                return Measure(folder.BestPath, ct);
        }

        using (var loaded = Open(started ? folder.LastPath : prunedCheckpoint))
        {
            ModelEvaluator.CheckClassCount(loaded.Model, data, prunedCheckpoint);
            if (!started)
                folder.WriteRunJson();
            new Trainer(folder, options).Run(loaded.Model, loaded.History, Names(loaded, data), data, resume: started, progress, ct);
        }
        return Measure(folder.BestPath, ct);
    }

    /// <summary>The layers to prune from an iteration's complete analysis of <paramref name="input"/> (<see cref="CampaignSelection"/>).</summary>
    public IReadOnlyList<LayerRate> Select(SensitivityTable table, ModelMetrics input) =>
        CampaignSelection.Select(spec.Selection, table, input);

    private LoadedModel Open(string checkpoint)
    {
        if (!File.Exists(checkpoint))
            throw new FileNotFoundException($"{checkpoint}: checkpoint not found");
        var loaded = ModelFile.Load(checkpoint);
        try
        {
            loaded.Model.to(_device);
            return loaded;
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    private static IReadOnlyList<string> Names(LoadedModel loaded, DataYaml data) =>
        loaded.ClassNames is { } stored && stored.Count == loaded.Model.Nc ? stored : data.Names;

    /// <summary>What makes two fine-tuning runs the same: the input's bytes and the recipe (not the workers, which
    /// do not change the result, nor paths, so a run moved to another machine still matches).</summary>
    private static string RunJson(string checkpoint, Hyperparameters hyp, TrainingOptions options) => JsonSerializer.Serialize(new
    {
        input_sha256 = FileDigest.Sha256(checkpoint),
        hyp_name = options.HypName,
        hyp = hyp.ToKeyValues().ToDictionary(kv => kv.Key, kv => kv.Value.ToString("R", CultureInfo.InvariantCulture)),
        epochs = options.Epochs,
        batch_size = options.BatchSize,
        img = options.ImageSize,
        seed = options.Seed,
        // Written only when they differ from train.py's values, so folders of runs started before the key existed
        // still match their recipe and resume.
        min_warmup_iters = options.MinWarmupIterations == Warmup.TrainPyMinimumIterations ? (int?)null : options.MinWarmupIterations,
        nominal_batch = options.NominalBatch == Warmup.TrainPyNominalBatch ? (int?)null : options.NominalBatch,
        adam = options.Adam ? true : (bool?)null,
    }, new JsonSerializerOptions { WriteIndented = true, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
}
