namespace PruneCluster.Engine.Evaluation;

/// <summary>pycocotools' <c>Params.setDetParams()</c> for iouType 'bbox'.</summary>
internal static class CocoParameters
{
    /// <summary>
    /// <c>np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1)</c>: NumPy's arithmetic, so 0.9 is
    /// 0.8999999999999999 and a detection with IoU exactly 0.9 passes that threshold.
    /// </summary>
    public static readonly double[] IouThresholds = NumPyCompat.Linspace(.5, 0.95, (int)Math.Round((0.95 - .5) / .05) + 1);

    /// <summary><c>np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1)</c>: the 101 recall points.</summary>
    public static readonly double[] RecallThresholds = NumPyCompat.Linspace(.0, 1.00, (int)Math.Round((1.00 - .0) / .01) + 1);

    /// <summary><c>maxDets</c>: detections per image and category; matching uses the last, accumulation each.</summary>
    public static readonly int[] MaxDets = [1, 10, 100];

    public static readonly CocoAreaRange[] AreaRanges =
    [
        new("all", 0, 1e5 * 1e5),
        new("small", 0, 32 * 32),
        new("medium", 32 * 32, 96 * 96),
        new("large", 96 * 96, 1e5 * 1e5),
    ];

    /// <summary>The <c>1 - 1e-10</c> cap of the match loop's starting IoU, so a perfect overlap still matches at any threshold.</summary>
    public const double MaxStartIou = 1 - 1e-10;

    /// <summary><c>np.spacing(1)</c>, added to the precision's denominator.</summary>
    public const double Spacing1 = 2.220446049250313e-16;
}
