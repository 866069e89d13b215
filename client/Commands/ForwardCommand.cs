using System.ComponentModel;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Models;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace PruneCluster.Client.Commands;

/// <summary>
/// <c>prunecluster forward</c>: runs the (optionally pruned, optionally fused) model on an input tensor, so users can
/// compare with their PyTorch model number by number.
/// </summary>
public sealed class ForwardCommand : Command<ForwardCommand.Settings>
{
    public sealed class Settings : PruningSettings
    {
        [CommandOption("--input <NPY>")]
        [Description("Input batch [[b, 3, h, w]] float32 .npy, values in [[0, 1]]; h and w multiples of the model's max stride (32, or 64 for P6 models).")]
        public string? Input { get; init; }

        [CommandOption("--output <NPY>")]
        [Description("Where to write the decoded output [[b, N, nc + 5]] as .npy.")]
        public string? Output { get; init; }

        [CommandOption("--fuse")]
        [Description("Fuse Conv+BN, RepConv and implicit layers before running (after pruning).")]
        public bool Fuse { get; init; }

        public override ValidationResult Validate()
        {
            if (Input == null || Output == null)
                return ValidationResult.Error("--input X.npy and --output Y.npy are required");
            if (!File.Exists(Input))
                return ValidationResult.Error($"--input {Input}: file not found");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var input = NpyFile.Read(settings.Input!);
        if (input.dtype != ScalarType.Float32)
            throw new InvalidDataException($"--input {settings.Input}: the tensor is {input.dtype}, the model runs in float32; save it with np.save(path, a.astype(np.float32))");
        using var loaded = ModelSource.Open(settings);
        CheckShape(input, loaded.Model, settings.Input!);
        PruningSettings.WarnSkipped(settings.PruneInPlace(loaded.Model));
        if (settings.Fuse)
            loaded.Model.Fuse();
        using var _ = no_grad();
        var device = loaded.Model.parameters().First().device;
        using var output = loaded.Model.forward(input.to(device)).cpu();
        NpyFile.Write(settings.Output!, output);
        AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(settings.Output!)}[/] {Markup.Escape($"[{string.Join(", ", output.shape)}]")}");
        return 0;
    }

    // libtorch would fail deep inside a concatenation with a 23-line native stack; say what the model needs instead.
    private static void CheckShape(Tensor input, YoloModel model, string path)
    {
        var channels = model.Cfg.InputChannels;
        var grid = ModelEvaluator.GridSize(model);
        var shape = $"[{string.Join(", ", input.shape)}]";
        if (input.dim() != 4 || input.shape[1] != channels || input.shape[0] == 0)
            throw new InvalidDataException($"--input {path}: expected a [batch, {channels}, h, w] tensor, got {shape}");
        if (input.shape[2] % grid != 0 || input.shape[3] % grid != 0 || input.shape[2] == 0 || input.shape[3] == 0)
            throw new InvalidDataException(
                $"--input {path}: h and w must be positive multiples of the model's max stride {grid}, got {shape}; pad or resize to " +
                $"[{input.shape[0]}, {channels}, {ModelBuilder.MakeDivisible(Math.Max(input.shape[2], 1), grid)}, {ModelBuilder.MakeDivisible(Math.Max(input.shape[3], 1), grid)}] (letterbox, as YOLOv7 does)");
    }
}
