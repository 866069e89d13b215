using System.Globalization;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Models;
using Spectre.Console;

namespace PruneCluster.Client.Cli;

/// <summary>
/// The one <c>--img</c> rule of every command, YOLOv7's <c>check_img_size</c>: a size that is not a multiple of the
/// model's grid (its largest stride, at least 32) is rounded up to the next multiple, with one warning on stderr,
/// so that GFLOPs are reported at a size the model can actually run.
/// </summary>
public static class ImageSizeOption
{
    /// <summary>Far beyond any YOLOv7 input (640–1280), and small enough that rounding up cannot overflow.</summary>
    public const int Max = 8192;

    /// <summary>Checked before any work starts (the model's stride is known only once it is loaded).</summary>
    public static ValidationResult Validate(int img) => img switch
    {
        <= 0 => ValidationResult.Error($"--img {img}: must be a positive image size in pixels, e.g. 640"),
        > Max => ValidationResult.Error($"--img {img}: larger than {Max}; YOLOv7 models run at 320–1280"),
        _ => ValidationResult.Success(),
    };

    /// <summary><paramref name="img"/> rounded up to a multiple of the model's grid; warns on stderr when it changed.</summary>
    public static int ForModel(YoloModel model, int img)
    {
        var grid = ModelEvaluator.GridSize(model);
        var rounded = checked((int)ModelBuilder.MakeDivisible(img, grid));
        if (rounded != img)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warning: --img {img} must be a multiple of max stride {grid}, updating to {rounded}"));
        return rounded;
    }
}
