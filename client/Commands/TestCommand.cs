using System.ComponentModel;
using System.Globalization;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands;

/// <summary>
/// <c>prunecluster test</c>: the paper's test.py — load, optionally prune, fuse (as the paper evaluates
/// <c>model.float().fuse().eval()</c>), run the validation split and print YOLOv7's table and speed line.
/// </summary>
public sealed class TestCommand : Command<TestCommand.Settings>
{
    private static readonly string[] Tasks = ["train", "val", "test"];

    public sealed class Settings : PruningSettings
    {
        [CommandOption("--data <YAML>")]
        [Description("YOLOv7 data yaml (train/val/test, nc, names).")]
        public string? Data { get; init; }

        [CommandOption("--task <SPLIT>")]
        [Description("Split to evaluate: val (default), test or train.")]
        [DefaultValue("val")]
        public string Task { get; init; } = "val";

        [CommandOption("--img <SIZE>")]
        [Description("Inference size (long side, pixels); rounded up to a multiple of the model's stride like check_img_size.")]
        [DefaultValue(640)]
        public int Img { get; init; } = 640;

        [CommandOption("--batch <N>")]
        [Description("Images per batch (rect batches, as test.py).")]
        [DefaultValue(32)]
        public int Batch { get; init; } = 32;

        [CommandOption("--conf <THRESHOLD>")]
        [Description("NMS confidence threshold (test.py: 0.001).")]
        [DefaultValue(0.001)]
        public double Conf { get; init; } = 0.001;

        [CommandOption("--iou <THRESHOLD>")]
        [Description("NMS IoU threshold (test.py: 0.65).")]
        [DefaultValue(0.65)]
        public double Iou { get; init; } = 0.65;

        [CommandOption("--no-fuse")]
        [Description("Evaluate the model as loaded/pruned instead of fused (the paper fuses; results differ only by rounding).")]
        public bool NoFuse { get; init; }

        [CommandOption("--save-predictions <FILE>")]
        [Description("Write every image's predictions and labels (original pixels) as JSON, creating its folder; 'prunecluster metrics --input' re-scores it.")]
        public string? SavePredictions { get; init; }

        [CommandOption("--coco")]
        [Description("Also score COCO-style (pycocotools' COCOeval rules, on the same final predictions) and print its 12-line summary after the table; with --json, a 'coco' object (ap, ap50, ap75, ap_small … ar_large).")]
        public bool Coco { get; init; }

        [CommandOption("--coco-annotations <JSON>")]
        [Description("Read the labels from this COCO instances_*.json (images matched by file name) instead of the YOLO .txt files; gives --coco the json's crowd regions and areas.")]
        public string? CocoAnnotations { get; init; }

        [CommandOption("--json")]
        [Description("Print one JSON document (mp, mr, map50, map, maps, params, gflops, images, labels, speed_ms, …) instead of the table.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Data))
                return ValidationResult.Error("--data is required: the YOLOv7 data yaml to evaluate on (e.g. data/coco.yaml)");
            if (!File.Exists(Data))
                return ValidationResult.Error($"--data {Data}: file not found; pass the path of a YOLOv7 data yaml");
            if (!Tasks.Contains(Task))
                return ValidationResult.Error($"--task {Task}: use val, test or train");
            if (ImageSizeOption.Validate(Img) is { Successful: false } badImg)
                return badImg;
            if (Batch <= 0)
                return ValidationResult.Error($"--batch {Batch}: must be at least 1");
            if (!(Conf is >= 0 and <= 1))
                return ValidationResult.Error($"--conf {Conf}: must lie in 0..1");
            if (!(Iou is >= 0 and <= 1))
                return ValidationResult.Error($"--iou {Iou}: must lie in 0..1");
            if (CocoAnnotations is { } annotations && !File.Exists(annotations))
                return ValidationResult.Error($"--coco-annotations {annotations}: file not found; pass a COCO instances_*.json of the evaluated split");
            if (SavePredictions is { } save && Directory.Exists(save))
                return ValidationResult.Error($"--save-predictions {save} is a folder; pass a file name, e.g. {Path.Combine(save, "predictions.json")}");
            return base.Validate();
        }
    }

    // Bad data or model input (DatasetException, EvaluationException …) is reported by UserErrors, like every command.
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // Cheap checks first: a bad yaml or missing split should not wait for the model to load.
        var data = DataYaml.Load(settings.Data!);
        data.Split(settings.Task);
        var annotations = settings.CocoAnnotations is { } json ? CocoAnnotations.Load(json) : null;
        annotations?.CheckMatches(data, settings.Task);
        // Like prune --save: a missing folder is created, and before the evaluation, so that it cannot fail afterwards.
        if (settings.SavePredictions is { } predictions)
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(predictions))!);

        using var loaded = ModelSource.Open(settings);
        var model = loaded.Model;
        ModelEvaluator.CheckClassCount(model, data, loaded.Path);
        var plan = settings.PruneInPlace(model);
        PruningSettings.WarnSkipped(plan);
        if (!settings.NoFuse)
            model.Fuse();

        var gridSize = ModelEvaluator.GridSize(model);
        var img = ImageSizeOption.ForModel(model, settings.Img);

        var names = loaded.ClassNames is { } stored && stored.Count == model.Nc ? stored : data.Names;
        using var set = ValidationSet.Load(data, settings.Task, img, settings.Batch, gridSize,
            options: new ValidationSetOptions { CocoAnnotations = annotations });
        if (!settings.Json)
            ReportIssues(set);

        var options = new EvaluationOptions
        {
            Nms = NmsOptions.ForTest with { ConfThreshold = settings.Conf, IouThreshold = settings.Iou },
            ClassNames = names,
        };
        var result = settings.Json
            ? ModelEvaluator.Evaluate(model, set, options, null, cancellationToken)
            : EvaluateWithProgress(model, set, options, cancellationToken);

        if (settings.SavePredictions is { } path)
            result.Detections.Write(path);

        // The same final predictions test.py would write with --save-json, scored as pycocotools would score them.
        var coco = settings.Coco ? result.Detections.ScoreCoco(annotations) : null;
        if (settings.Json)
        {
            JsonOutput.Print(ToJson(result, names, settings, img, plan.Steps.Count, coco));
            return 0;
        }
        Console.Out.Write(Report(result, names, loaded.Path, plan.Steps.Count, !settings.NoFuse));
        if (coco is not null)
            Console.Out.Write(Environment.NewLine + CocoReport.Text(coco, annotations?.JsonPath ?? CocoReport.LabelsGroundTruth));
        return 0;
    }

    private static void ReportIssues(ValidationSet set)
    {
        if (set.Issues.Count == 0)
            return;
        Console.Error.WriteLine(
            $"warning: {set.SkippedImages} images skipped, {set.Issues.Count} dataset issues; first: {set.Issues[0]}");
    }

    // A live bar when stderr is a terminal, otherwise one line per batch, so that logs still show the pace.
    private static EvaluationResult EvaluateWithProgress(YoloModel model, ValidationSet set, EvaluationOptions options, CancellationToken cancellationToken)
    {
        if (Console.IsErrorRedirected)
        {
            return ModelEvaluator.Evaluate(model, set, options, new SyncProgress<EvaluationProgress>(p =>
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"test: batch {p.BatchesDone}/{p.BatchCount}, {p.ImagesDone}/{p.ImageCount} images, {p.Elapsed.TotalSeconds:F1} s, ETA {p.Remaining?.TotalSeconds ?? 0:F1} s"))),
                cancellationToken);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        EvaluationResult? result = null;
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(progress =>
            {
                var task = progress.AddTask($"test {set.Settings.Split} ({set.Images.Count} images)", maxValue: set.Images.Count);
                result = ModelEvaluator.Evaluate(model, set, options, new SyncProgress<EvaluationProgress>(p => task.Value = p.ImagesDone), cancellationToken);
            });
        return result!;
    }

    /// <summary>test.py's table and speed line, then the model's size.</summary>
    public static string Report(EvaluationResult result, IReadOnlyList<string> names, string model, int prunedLayers, bool fused)
    {
        var speed = result.Speed;
        var text = MetricsReport.Table(result.Metrics, names) + string.Create(CultureInfo.InvariantCulture,
            $"Speed: {speed.InferenceMs:F1}/{speed.NmsMs:F1}/{speed.TotalMs:F1} ms inference/NMS/total per {speed.ImageSize}x{speed.ImageSize} image at batch-size {speed.BatchSize}") +
            Environment.NewLine;
        if (result.Params is { } parameters && result.Gflops is { } gflops)
        {
            var state = (prunedLayers > 0 ? $"pruned ({prunedLayers} layers), " : "") + (fused ? "fused" : "not fused");
            text += string.Create(CultureInfo.InvariantCulture,
                $"Model: {model} ({state}): {parameters:N0} parameters, {gflops:F3} GFLOPs at {speed.ImageSize}x{speed.ImageSize}; {result.ImagesPerSecond:F1} images/s overall") +
                Environment.NewLine;
        }
        return text;
    }

    private static object ToJson(EvaluationResult result, IReadOnlyList<string> names, Settings settings, int img, int prunedLayers, CocoMetrics? coco)
    {
        var m = result.Metrics;
        return new
        {
            Weights = settings.Weights ?? settings.Cfg,
            Data = Path.GetFullPath(settings.Data!),
            settings.Task,
            Img = img,
            settings.Batch,
            settings.Conf,
            settings.Iou,
            Fused = !settings.NoFuse,
            PruningParams = settings.PruningParamsText,
            Criterion = settings.PruningParamsText is null ? (int?)null : settings.Criterion,
            PrunedLayers = prunedLayers,
            result.Images,
            result.Labels,
            m.Mp,
            m.Mr,
            m.Map50,
            m.Map,
            m.Fitness,
            m.Maps,
            m.Nt,
            m.ApClass,
            m.P,
            m.R,
            m.Ap50,
            m.Ap,
            Names = names,
            result.Params,
            result.ParamsFused,
            result.Gflops,
            SpeedMs = new { Inference = result.Speed.InferenceMs, Nms = result.Speed.NmsMs, Total = result.Speed.TotalMs },
            result.ImagesPerSecond,
            ElapsedS = result.Elapsed.TotalSeconds,
            SavedPredictions = settings.SavePredictions is { } path ? Path.GetFullPath(path) : null,
            CocoAnnotations = settings.CocoAnnotations is { } json ? Path.GetFullPath(json) : null,
            Coco = coco is null ? null : CocoReport.Values(coco),
        };
    }
}
