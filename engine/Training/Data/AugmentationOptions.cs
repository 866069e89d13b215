namespace PruneCluster.Engine.Training.Data;

/// <summary>
/// The augmentation entries of a YOLOv7 hyp yaml. Members are named exactly like the yaml keys (hence snake_case),
/// so mapping a hyp file onto them is one line per key. Defaults are hyp.scratch.tiny.yaml's values.
/// </summary>
#pragma warning disable IDE1006 // Names mirror YOLOv7's hyp keys on purpose.
public sealed record AugmentationOptions
{
    /// <summary>Every augmentation off: letterbox only (the HSV round trip through OpenCV still runs, as in YOLOv7).</summary>
    public static readonly AugmentationOptions None = new()
    {
        hsv_h = 0, hsv_s = 0, hsv_v = 0, translate = 0, scale = 0, fliplr = 0, mosaic = 0, mixup = 0, paste_in = 0,
    };

    /// <summary>Hue gain (fraction): the hue is multiplied by a factor drawn from 1 ± hsv_h.</summary>
    public double hsv_h { get; init; } = 0.015;

    /// <summary>Saturation gain (fraction).</summary>
    public double hsv_s { get; init; } = 0.7;

    /// <summary>Value gain (fraction).</summary>
    public double hsv_v { get; init; } = 0.4;

    /// <summary>Rotation range ± degrees.</summary>
    public double degrees { get; init; }

    /// <summary>Translation range ± fraction of the output size.</summary>
    public double translate { get; init; } = 0.1;

    /// <summary>Scale drawn from [1 - scale, 1.1 + scale] (YOLOv7's asymmetric range).</summary>
    public double scale { get; init; } = 0.5;

    /// <summary>Shear range ± degrees.</summary>
    public double shear { get; init; }

    /// <summary>Perspective range ± (0 to 0.001 is sensible).</summary>
    public double perspective { get; init; }

    /// <summary>Probability of an up-down flip.</summary>
    public double flipud { get; init; }

    /// <summary>Probability of a left-right flip.</summary>
    public double fliplr { get; init; } = 0.5;

    /// <summary>Probability of a mosaic (4 images with probability 0.8, else 9).</summary>
    public double mosaic { get; init; } = 1.0;

    /// <summary>Probability of mixing a mosaic with a second mosaic.</summary>
    public double mixup { get; init; } = 0.05;

    /// <summary>Probability of paste-in (needs polygon labels; see README).</summary>
    public double paste_in { get; init; } = 0.05;

    /// <summary>Copy-paste share of the segments (needs polygon labels; see README).</summary>
    public double copy_paste { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[] { ("flipud", flipud), ("fliplr", fliplr), ("mosaic", mosaic), ("mixup", mixup), ("paste_in", paste_in), ("copy_paste", copy_paste) })
        {
            if (!(value >= 0 && value <= 1))
                throw new ArgumentException($"hyp {name}: {value} is a probability and must lie in 0..1");
        }
        foreach (var (name, value) in new[] { ("hsv_h", hsv_h), ("hsv_s", hsv_s), ("hsv_v", hsv_v), ("degrees", degrees), ("translate", translate), ("shear", shear), ("perspective", perspective) })
        {
            if (!(value >= 0) || !double.IsFinite(value))
                throw new ArgumentException($"hyp {name}: {value} must be a finite number >= 0");
        }
        if (!(scale >= 0 && scale < 1))
            throw new ArgumentException($"hyp scale: {scale} must lie in 0..1 (the scale factor is drawn from 1 - scale .. 1.1 + scale)");
        if (translate > 0.5)
            throw new ArgumentException($"hyp translate: {translate} must be at most 0.5");
    }
}
#pragma warning restore IDE1006
