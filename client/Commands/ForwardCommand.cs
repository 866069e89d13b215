using System.ComponentModel;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Checkpoints;
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
        [Description("Input batch [[b, 3, h, w]] float32 .npy, values in [[0, 1]].")]
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
        using var loaded = ModelSource.Open(settings);
        PruningSettings.WarnSkipped(settings.PruneInPlace(loaded.Model));
        if (settings.Fuse)
            loaded.Model.Fuse();
        using var input = NpyFile.Read(settings.Input!);
        if (input.dim() != 4 || input.shape[1] != loaded.Model.Cfg.InputChannels)
            throw new InvalidDataException($"--input {settings.Input}: expected a [batch, {loaded.Model.Cfg.InputChannels}, h, w] tensor, got [{string.Join(", ", input.shape)}]");
        using var _ = no_grad();
        var device = loaded.Model.parameters().First().device;
        using var output = loaded.Model.forward(input.to(ScalarType.Float32).to(device)).cpu();
        NpyFile.Write(settings.Output!, output);
        AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(settings.Output!)}[/] {Markup.Escape($"[{string.Join(", ", output.shape)}]")}");
        return 0;
    }
}
