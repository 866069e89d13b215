using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Evaluation;

/// <summary>
/// The trained bccd model and what golden/README.md says the paper's test.py reports for it on bccd val with
/// <c>--img 320 --batch 32 --conf 0.001 --iou 0.65</c>, to the 4 decimals the table has. Measured: our values differ
/// from that table by at most 3.4e-5 (P 0.688134, R 0.718896, mAP@.5 0.695810, mAP@.5:.95 0.383667), so they
/// round to it exactly, as the project README claims.
/// </summary>
public static class BccdGolden
{
    public const int Decimals = 4;
    public const int ImageSize = 320;
    public const int BatchSize = 32;
    public const int Images = 87;
    public const long Labels = 1137;
    public const double P = 0.6881;
    public const double R = 0.7189;
    public const double Map50 = 0.6958;
    public const double Map = 0.3837;
    public const long FusedParams = 6_013_008;

    /// <summary>Per-class mAP@.5:.95 in class-id order: RBC, WBC, Platelets.</summary>
    public static readonly double[] Maps = [0.3986, 0.6686, 0.0838];

    /// <summary>Asserts that <paramref name="actual"/> rounds to the table's <paramref name="golden"/> at its 4 decimals.</summary>
    public static void AssertReproduces(double golden, double actual, string what) =>
        Assert.True(Math.Round(actual, Decimals, MidpointRounding.AwayFromZero) == golden,
            $"{what}: {actual} does not round to the golden table's {golden}");

    public static string Weights => SharedData.Golden("bccd-yolov7-tiny.pt");

    public static string DataYaml => SharedData.Dataset("bccd/bccd.yaml");
}
