using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Training.Optim;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Runtime;
using PruneCluster.Engine.Training;
using PruneCluster.Engine.Training.Hyp;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands;

/// <summary>
/// <c>prunecluster train</c>: the paper's train.py (YOLOv7's, with <c>--pruning-params</c>): prune first, then
/// fine-tune; or train from scratch with <c>--cfg</c>. <c>--resume</c> continues an interrupted run exactly (Ctrl-C
/// stops at the next batch, exit 130; the run keeps its last finished epoch).
/// </summary>
public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : PruningSettings
    {
        [CommandOption("--data <YAML>")]
        [Description("YOLOv7 data yaml with train and val splits.")]
        public string? Data { get; init; }

        [CommandOption("--hyp <NAME|PATH>")]
        [Description("Hyperparameters: scratch.tiny, scratch.p5, scratch.p6, scratch.custom (YOLOv7's), finetune.tiny, scratch.adam.tiny (for --adam), synth.adam.tiny (--adam on dataset synth shapes) or a hyp yaml. Default: scratch.tiny for tiny models, scratch.p6 for P6 models (IAuxDetect: trained with the auxiliary loss), else scratch.p5.")]
        public string? Hyp { get; init; }

        [CommandOption("--epochs <N>")]
        [Description("Epochs to train (default 300, as train.py).")]
        [DefaultValue(300)]
        public int Epochs { get; init; } = 300;

        [CommandOption("--batch-size <N>")]
        [Description("Images per batch; gradients accumulate up to --nominal-batch (64).")]
        [DefaultValue(16)]
        public int BatchSize { get; init; } = 16;

        [CommandOption("--img <SIZE>")]
        [Description("Train and validation image size (a multiple of 32).")]
        [DefaultValue(640)]
        public int Img { get; init; } = 640;

        [CommandOption("--workers <N>")]
        [Description("Loader threads decoding and augmenting ahead of the model.")]
        [DefaultValue(8)]
        public int Workers { get; init; } = 8;

        [CommandOption("--project <DIR>")]
        [Description("Runs go to PROJECT/NAME.")]
        [DefaultValue("runs/train")]
        public string Project { get; init; } = "runs/train";

        [CommandOption("--name <NAME>")]
        [Description("Run name (a folder under --project).")]
        [DefaultValue("exp")]
        public string Name { get; init; } = "exp";

        [CommandOption("--resume")]
        [Description("Continue the interrupted run PROJECT/NAME where it stopped (its own settings; other options are ignored).")]
        public bool Resume { get; init; }

        [CommandOption("--freeze <N>")]
        [Description("Do not train the first N cfg rows (model.0. … model.N-1.).")]
        [DefaultValue(0)]
        public int Freeze { get; init; }

        [CommandOption("--linear-lr")]
        [Description("Linear lr decay instead of one-cycle cosine.")]
        public bool LinearLr { get; init; }

        [CommandOption("--cache-images")]
        [Description("Keep decoded training images in memory.")]
        public bool CacheImages { get; init; }

        [CommandOption("--notest")]
        [Description("Validate only after the last epoch.")]
        public bool NoTest { get; init; }

        [CommandOption("--format <FORMAT>")]
        [Description("Layout of weights/last.pt and best.pt: " + CheckpointFormatOption.Description)]
        [DefaultValue("yolov7")]
        [JsonPropertyName("format")]
        public string FormatText { get; init; } = "yolov7";

        [CommandOption("--min-warmup-iters <N>")]
        [Description("Floor on the warm-up length in batches (train.py: 1000). Lower it to fine-tune on a small set, where 1000 batches are many epochs of near-zero lr.")]
        [DefaultValue(1000)]
        public int MinWarmupIters { get; init; } = 1000;

        [CommandOption("--nominal-batch <N>")]
        [Description("Images per optimizer step: gradients of batches accumulate up to it (train.py: 64). Lower it for short runs on small sets, which otherwise get few weight updates.")]
        [DefaultValue(Warmup.TrainPyNominalBatch)]
        public int NominalBatch { get; init; } = Warmup.TrainPyNominalBatch;

        [CommandOption("--adam")]
        [Description("Adam (betas: the hyp's momentum, 0.999) instead of Nesterov SGD, as train.py's --adam; use a hyp with a lower lr0 (e.g. scratch.adam.tiny, lr0 0.001).")]
        public bool Adam { get; init; }

        [CommandOption("--train-seed <N>")]
        [Description("Seed of the shuffle and every augmentation (a run is repeatable).")]
        [DefaultValue(0L)]
        public long TrainSeed { get; init; }

        public override ValidationResult Validate()
        {
            if (Resume)
                return ValidationResult.Success();
            if (Data == null)
                return ValidationResult.Error("--data is required: a YOLOv7 data yaml with train and val splits");
            if (Epochs < 1)
                return ValidationResult.Error($"--epochs {Epochs}: train at least 1 epoch");
            if (BatchSize < 1)
                return ValidationResult.Error($"--batch-size {BatchSize}: use 1 or more");
            if (Img < 32 || Img % 32 != 0)
                return ValidationResult.Error($"--img {Img}: use a multiple of 32, e.g. {Math.Max(32, (Img + 31) / 32 * 32)}");
            if (Workers < 1)
                return ValidationResult.Error($"--workers {Workers}: use 1 or more");
            if (Freeze < 0)
                return ValidationResult.Error($"--freeze {Freeze}: use 0 or more");
            if (MinWarmupIters < 0)
                return ValidationResult.Error($"--min-warmup-iters {MinWarmupIters}: use 0 or more");
            if (NominalBatch < 1)
                return ValidationResult.Error($"--nominal-batch {NominalBatch}: use 1 or more (train.py: 64)");
            if (LinearLr && Epochs < 2)
                return ValidationResult.Error("--linear-lr needs --epochs 2 or more (its lr falls to lrf at the last epoch)");
            return CheckpointFormatOption.Validate(FormatText) is { Successful: false } format ? format : base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings given, CancellationToken cancellationToken)
    {
        var folderPath = Path.Combine(given.Project, given.Name);
        var runPath = Path.Combine(folderPath, "run.json");
        var hypPath = Path.Combine(folderPath, "hyp.yaml");
        var started = File.Exists(Path.Combine(folderPath, "weights", "last.state.pt"));
        Settings settings;
        if (given.Resume)
        {
            if (!File.Exists(runPath) || !started)
                throw new FileNotFoundException($"--resume: {folderPath} has no finished epoch to resume from (run.json and weights/last.state.pt); start the run without --resume");
            settings = JsonSerializer.Deserialize<Settings>(File.ReadAllText(runPath), RunJson.Options)
                ?? throw new InvalidDataException($"{runPath}: empty run settings; start a new run");
        }
        else
        {
            // A folder whose run never finished an epoch holds nothing worth keeping: start it afresh.
            if (started)
                throw new InvalidDataException($"{folderPath} already holds a run; continue it with --resume or pick another --name");
            settings = given;
        }

        var data = DataYaml.Load(settings.Data!);
        var folder = new TrainingRunFolder(folderPath, WithAbsolutePaths(settings));
        // A resumed run continues from its own last.pt (the pruned architecture, the pruning history).
        var source = given.Resume ? new ModelSettings { Weights = folder.LastPath, Device = settings.Device } : settings;
        using var loaded = ModelSource.Open(source, data.ClassCount);
        ModelEvaluator.CheckClassCount(loaded.Model, data, loaded.Path);
        var model = loaded.Model;
        var history = loaded.History;
        if (!given.Resume)
            history = history.Then(settings.PruneInPlace(model));
        // A resumed run reads the hyp it started with (saved in the run folder), not whatever the file says now.
        var hypName = given.Resume ? hypPath : settings.Hyp ?? (model.Head.IsAux ? "scratch.p6"
            : model.Cfg.Source.Contains("tiny", StringComparison.OrdinalIgnoreCase) ? "scratch.tiny" : "scratch.p5");
        var hyp = HyperparameterFile.Load(hypName);
        var names = loaded.ClassNames is { } stored && stored.Count == model.Nc ? stored : data.Names;
        var options = new TrainingOptions(hyp, hypName, settings.Epochs, settings.BatchSize, settings.Img, settings.Workers,
            settings.TrainSeed, settings.LinearLr, settings.Freeze, settings.CacheImages, !settings.NoTest, settings.MinWarmupIters,
            CheckpointFormatOption.Parse(settings.FormatText), settings.NominalBatch, settings.Adam);
        if (!given.Resume)
        {
            folder.WriteRunJson();
            File.WriteAllLines(hypPath, hyp.ToKeyValues().Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}: {kv.Value:R}")));
        }

        Console.Error.WriteLine($"{(given.Resume ? "resuming" : "training")} {loaded.Path} → {folder.Path} ({options.Epochs} epochs, batch {options.BatchSize}{(options.NominalBatch != Warmup.TrainPyNominalBatch ? $" (nominal {options.NominalBatch})" : "")}, img {options.ImageSize}, hyp {hypName}{(options.Adam ? ", Adam" : "")}{(history.Steps.Count > 0 ? $", {history.Steps.Count} pruned layers" : "")})");
        Console.Out.WriteLine($"{"epoch",8} {"box",8} {"obj",8} {"cls",8} {"P",7} {"R",7} {"mAP@.5",7} {"mAP@.5:.95",10} {"img/s",7}");
        var interactive = !Console.IsErrorRedirected;
        var progress = new SyncProgress<TrainingProgress>(p =>
        {
            if (p.Validated is { } row)
            {
                if (interactive)
                    Console.Error.Write("\r" + new string(' ', 100) + "\r");
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{row.Epoch + 1,4}/{p.Epochs,-3} {row.Box,8:F4} {row.Obj,8:F4} {row.Cls,8:F4} {M(row.Precision),7} {M(row.Recall),7} {M(row.Map50),7} {M(row.Map),10} {p.ImagesPerSecond,7:F1}"));
            }
            else if (interactive)
            {
                Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
                    $"\repoch {p.Epoch + 1}/{p.Epochs} batch {p.Batch}/{p.Batches} box {p.Box:F4} obj {p.Obj:F4} cls {p.Cls:F4} {p.ImagesPerSecond:F1} img/s ETA {Eta(p.Remaining)}   "));
            }
        });
        // The first Ctrl-C stops at the next batch; the run keeps its last finished epoch. A second one stops now.
        if (!CtrlC.TryRun(cancellationToken, token => new Trainer(folder, options).Run(model, history, names, data, given.Resume, progress, token),
            () => (interactive ? "\n" : "") + (File.Exists(folder.StatePath)
                ? $"interrupted: {folder.Path} keeps its last finished epoch (weights/last.pt, last.state.pt); prunecluster train --resume --project {settings.Project} --name {settings.Name} continues it"
                : $"interrupted before the first epoch finished: {folder.Path} holds nothing to resume; run the same command again to start over"),
            out var rows))
            return CtrlC.ExitCode;
        var best = rows.MaxBy(r => r.Fitness);
        AnsiConsole.MarkupLine($"done: [bold]{Markup.Escape(folder.LastPath)}[/], best {Markup.Escape(folder.BestPath)} (epoch {best?.Epoch + 1}, mAP@.5:.95 {M(best?.Map)}); results {Markup.Escape(folder.ResultsPath)}");
        return 0;
    }

    /// <summary>The settings as run.json stores them, with file paths made absolute so --resume works from anywhere.</summary>
    private static string WithAbsolutePaths(Settings settings)
    {
        var node = JsonSerializer.SerializeToNode(settings, RunJson.Options)!.AsObject();
        foreach (var key in new[] { "data", "weights", "hyp", "cfg" })
        {
            if (node[key]?.GetValue<string>() is { } path && File.Exists(path))
                node[key] = Path.GetFullPath(path);
        }
        return node.ToJsonString(RunJson.Options);
    }

    private static string M(double? value) => value is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "-";

    private static string Eta(TimeSpan? remaining) => remaining is { } r ? r.ToString(r.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture) : "…";
}
