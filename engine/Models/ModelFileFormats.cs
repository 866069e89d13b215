namespace PruneCluster.Engine.Models;

/// <summary>The names <c>--format</c> takes for a <see cref="ModelFileFormat"/>.</summary>
public static class ModelFileFormats
{
    public const string Names = "yolov7, state-dict";

    public static ModelFileFormat? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "yolov7" => ModelFileFormat.Yolov7,
        "state-dict" or "state_dict" => ModelFileFormat.StateDict,
        _ => null,
    };
}
