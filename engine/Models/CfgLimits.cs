namespace PruneCluster.Engine.Models;

/// <summary>
/// Bounds on what a cfg (a yaml or the architecture pickled in a checkpoint) may ask for, checked before anything is
/// built: a damaged file must give a one-line <see cref="ModelConfigException"/>, not an index error, a native torch
/// error or a multi-gigabyte allocation. The bounds hold every YOLOv7 cfg with room to spare.
/// </summary>
public static class CfgLimits
{
    public const long MaxClasses = 100_000;
    public const long MaxChannels = 16_384;
    public const long MaxInputChannels = 64;
    public const double MaxMultiple = 8;
    public const long MaxKernel = 15;
    public const double MaxAnchor = 100_000;

    /// <summary>A model's largest total stride: the probe forward of FLOPs counting uses an image this size.</summary>
    public const double MaxStride = 256;

    /// <summary>
    /// Conv weights a cfg may ask for before anything is allocated (yolov7-e6e has 164 M parameters): a damaged
    /// width_multiple or channel count would otherwise allocate gigabytes.
    /// </summary>
    public const long MaxParameters = 200_000_000;

    /// <summary>Stride factors of convs, pools and up-sampling: powers of two keep every level's size exact.</summary>
    public static readonly long[] StrideFactors = [1, 2, 4, 8];

    /// <summary>An integer cfg value within [min, max], else a one-line error naming it.</summary>
    public static long Integer(object? value, long min, long max, string where, string what)
    {
        var number = value switch
        {
            long l => l,
            int i => i,
            double d when double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < 1e15 => (long)d,
            _ => throw new ModelConfigException($"{where}: {what} must be an integer, got '{CfgValue.Describe(value)}'; fix the cfg"),
        };
        if (number < min || number > max)
            throw new ModelConfigException($"{where}: {what} is {number}, outside {min}..{max}; fix the cfg");
        return number;
    }

    /// <summary>A finite number within (0, max], else a one-line error naming it.</summary>
    public static double Positive(object? value, double max, string where, string what)
    {
        var number = value switch
        {
            long l => l,
            int i => i,
            double d => d,
            _ => throw new ModelConfigException($"{where}: {what} must be a number, got '{CfgValue.Describe(value)}'; fix the cfg"),
        };
        if (!double.IsFinite(number) || number <= 0 || number > max)
            throw new ModelConfigException($"{where}: {what} is {CfgValue.Describe(number)}, outside (0, {max}]; fix the cfg");
        return number;
    }

    public static long StrideFactor(object? value, string where, string what)
    {
        var factor = Integer(value, 1, StrideFactors[^1], where, what);
        return StrideFactors.Contains(factor)
            ? factor
            : throw new ModelConfigException($"{where}: {what} is {factor}; it must be one of {string.Join(", ", StrideFactors)}; fix the cfg");
    }
}
