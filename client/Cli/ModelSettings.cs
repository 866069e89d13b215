using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Cli;

/// <summary>Options shared by every command that works on a model: where it comes from and where it runs.</summary>
public class ModelSettings : CommandSettings
{
    [CommandOption("--weights <PATH>")]
    [Description("Checkpoint: an official YOLOv7 .pt, a paper-pruned one, a prunecluster-saved one, or a state_dict (with --cfg).")]
    public string? Weights { get; init; }

    [CommandOption("--cfg <NAME|PATH>")]
    [Description("Architecture: a built-in name (yolov7, yolov7-tiny, yolov7x, yolov7-w6 …, deploy/yolov7, deploy/yolov7-tiny-silu …) or a cfg yaml. Without --weights: random weights (see --init-seed).")]
    public string? Cfg { get; init; }

    // Not --seed: prune/test/sensitivity already use --seed for criterion 6's random filter choice, a separate concept.
    [CommandOption("--init-seed <N>")]
    [Description("Seed of the random weights that --cfg builds without --weights (default 0), so two runs give the same output.")]
    public long? InitSeed { get; init; }

    [CommandOption("--device <DEVICE>")]
    [Description("cpu (default) or cuda:N.")]
    [DefaultValue("cpu")]
    public string Device { get; init; } = "cpu";

    public override ValidationResult Validate()
    {
        if (Weights == null && Cfg == null)
            return ValidationResult.Error("give --weights PATH (a .pt checkpoint) or --cfg NAME (a built-in or yaml architecture)");
        if (Weights != null && InitSeed != null)
            return ValidationResult.Error($"--init-seed {InitSeed}: only seeds the random weights of --cfg without --weights; drop it");
        if (Weights != null && !File.Exists(Weights))
            return ValidationResult.Error($"--weights {Weights}: file not found");
        if (Device != "cpu" && !Device.StartsWith("cuda", StringComparison.Ordinal))
            return ValidationResult.Error($"--device {Device}: use cpu or cuda:N");
        return ValidationResult.Success();
    }
}
