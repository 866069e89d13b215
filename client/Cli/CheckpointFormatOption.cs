using PruneCluster.Engine.Models;
using Spectre.Console;

namespace PruneCluster.Client.Cli;

/// <summary>The one <c>--format</c> option of the commands that save checkpoints (prune, train).</summary>
public static class CheckpointFormatOption
{
    public const string Description =
        "yolov7 (default): YOLOv7's own layout, {'model': models.yolo.Model (float16), ...}, which YOLOv7's detect.py, test.py, export.py and train.py load as they are; " +
        "state-dict: {'state_dict': ..., 'model_yaml': ...} in float32 for torch.load(weights_only=True).";

    public static ValidationResult Validate(string text) => ModelFileFormats.Parse(text) is null
        ? ValidationResult.Error($"--format '{text}' is not a checkpoint format; use one of {ModelFileFormats.Names}")
        : ValidationResult.Success();

    public static ModelFileFormat Parse(string text) => ModelFileFormats.Parse(text) ?? ModelFileFormat.Yolov7;
}
