using System.ComponentModel;
using System.Globalization;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Training.Hyp;
using PruneCluster.Engine.Training.Loss;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace PruneCluster.Client.Commands;

/// <summary>
/// <c>prunecluster loss</c>: YOLOv7's training loss (ComputeLoss, ComputeLossOTA, or for P6 models train_aux.py's
/// ComputeLossAuxOTA) of the model on one batch with given targets, so users can compare with their PyTorch setup
/// number by number. Eval-mode batch norm, gr = 1.
/// </summary>
public sealed class LossCommand : Command<LossCommand.Settings>
{
    public sealed class Settings : PruningSettings
    {
        [CommandOption("--input <NPY>")]
        [Description("Input batch [[b, 3, h, w]] float32 .npy, values in [[0, 1]].")]
        public string? Input { get; init; }

        [CommandOption("--targets <JSON>")]
        [Description("Targets: a JSON array of rows [[image, class, xc, yc, w, h]] (coordinates normalised to [[0, 1]]), or an object whose \"targets\" member is that array (the golden loss file's layout).")]
        public string? Targets { get; init; }

        [CommandOption("--hyp <NAME|PATH>")]
        [Description("Hyperparameters: scratch.tiny, scratch.p5 (default, as YOLOv7's train.py), scratch.p6, scratch.custom, or a hyp yaml.")]
        [DefaultValue("scratch.p5")]
        public string Hyp { get; init; } = "scratch.p5";

        [CommandOption("--ota")]
        [Description("ComputeLossOTA (the default when the hyp says loss_ota: 1). P6 models (IAuxDetect) always use ComputeLossAuxOTA, as train_aux.py, unless --no-ota.")]
        public bool Ota { get; init; }

        [CommandOption("--no-ota")]
        [Description("ComputeLoss (the default when the hyp says loss_ota: 0; for P6 models on their main levels only).")]
        public bool NoOta { get; init; }

        [CommandOption("--json")]
        [Description("Print loss, lbox, lobj, lcls as one JSON document (loss = (lbox + lobj + lcls) · batch).")]
        public bool Json { get; init; }

        /// <summary>The hyperparameters, read once by <see cref="Validate"/>.</summary>
        public Hyperparameters? Hyperparameters { get; private set; }

        public override ValidationResult Validate()
        {
            if (Input == null || Targets == null)
                return ValidationResult.Error("--input X.npy and --targets T.json are required");
            if (!File.Exists(Input))
                return ValidationResult.Error($"--input {Input}: file not found");
            if (!File.Exists(Targets))
                return ValidationResult.Error($"--targets {Targets}: file not found");
            if (Ota && NoOta)
                return ValidationResult.Error("--ota and --no-ota exclude each other; give one (or neither to follow the hyp's loss_ota)");
            try
            {
                Hyperparameters = HyperparameterFile.Load(Hyp);
            }
            catch (HyperparameterException e)
            {
                return ValidationResult.Error(e.Message);
            }
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var hyp = settings.Hyperparameters!;
        using var input = NpyFile.Read(settings.Input!);
        using var loaded = ModelSource.Open(settings);
        var model = loaded.Model;
        if (input.dim() != 4 || input.shape[1] != model.Cfg.InputChannels)
            throw new InvalidDataException($"--input {settings.Input}: expected a [batch, {model.Cfg.InputChannels}, h, w] tensor, got [{string.Join(", ", input.shape)}]");
        using var targets = TargetsFile.Read(settings.Targets!, input.shape[0], model.Nc);
        settings.PruneInPlace(model);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var device = model.parameters().First().device;
        var x = input.to(ScalarType.Float32).to(device);
        var kind = settings.NoOta ? YoloLossKind.Plain : YoloLoss.KindFor(model.Head, settings.Ota || hyp.LossOta);
        var function = new YoloLoss(model.Head, hyp, kind);
        var raw = model.ForwardRaw(x, includeAux: function.UsesAux);
        using var loss = function.Compute(raw, targets, x.shape[2]);
        var values = loss.Read();

        if (settings.Json)
        {
            JsonOutput.Print(new { Loss = values.Loss, Lbox = values.Lbox, Lobj = values.Lobj, Lcls = values.Lcls, TotalPerImage = values.TotalPerImage, Ota = function.Ota, Function = function.Name, Targets = targets.shape[0] });
            return 0;
        }
        string F(double v) => v.ToString("0.000000", CultureInfo.InvariantCulture);
        AnsiConsole.MarkupLine($"{function.Name} on {x.shape[0]} images, {targets.shape[0]} targets");
        AnsiConsole.MarkupLine($"loss {F(values.Loss)}  (lbox {F(values.Lbox)} + lobj {F(values.Lobj)} + lcls {F(values.Lcls)}) × {x.shape[0]}");
        return 0;
    }
}
