using System.Globalization;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// What a sensitivity analysis was measured with: every setting that changes a result line. Two runs with equal
/// identities produce interchangeable lines, so only then may one resume (or, in a cluster, add to) the other's
/// folder. Layers and rates are not part of it: they say which lines exist, not what a line holds.
/// </summary>
/// <param name="ModelSha256">SHA-256 of the weights file (<see cref="FileDigest"/>).</param>
/// <param name="DataSha256">Digest of the evaluated split's file listing (<see cref="DatasetDigest"/>).</param>
/// <param name="Img">Evaluation image size.</param>
/// <param name="Batch">Evaluation batch size (it sets the rectangular batch shapes, so it moves mAP).</param>
/// <param name="Conf">NMS confidence threshold.</param>
/// <param name="Iou">NMS IoU threshold.</param>
/// <param name="Criterion">Filter-importance criterion (0-6).</param>
/// <param name="Seed">Seed of the random criterion.</param>
/// <param name="ImportancePrecision">Precision filter importances are ranked in ("stored" or "float32").</param>
/// <param name="RoundTo">Kept filters rounded up to a multiple of this (1 = none; records older than the option read as 1).</param>
public sealed record SensitivityIdentity(
    string ModelSha256,
    string DataSha256,
    int Img,
    int Batch,
    double Conf,
    double Iou,
    int Criterion,
    long Seed,
    string ImportancePrecision,
    int RoundTo = 1)
{
    /// <summary>The split every sensitivity analysis evaluates.</summary>
    public const string Split = "val";

    /// <summary>Digests the weights file and the data split and combines them with the settings.</summary>
    public static SensitivityIdentity Measure(string weightsPath, DataYaml data, int img, int batch, SensitivityOptions options)
    {
        var nms = options.Nms ?? Evaluation.NmsOptions.ForTest;
        // A model built from a cfg alone (random weights, tests) has no file to digest: it is named by its source.
        var model = File.Exists(weightsPath) ? FileDigest.Sha256(weightsPath) : $"no weights file: {weightsPath}";
        return new SensitivityIdentity(model, DatasetDigest.Of(data, Split), img, batch,
            nms.ConfThreshold, nms.IouThreshold, (int)options.Criterion, options.Seed, options.ImportancePrecision, options.RoundTo);
    }

    /// <summary>
    /// Each setting that differs, as "name recorded → name here" (e.g. "criterion 0 → 1", "model a1b2c3d4… → 9f8e7d6c…"),
    /// in a fixed order; empty when the identities are equal.
    /// </summary>
    public IReadOnlyList<string> Differences(SensitivityIdentity here)
    {
        var differences = new List<string>();
        void Compare(string name, string recorded, string current)
        {
            if (recorded != current)
                differences.Add($"{name} {recorded} → {current}");
        }
        Compare("model", Short(ModelSha256), Short(here.ModelSha256));
        Compare("data", Short(DataSha256), Short(here.DataSha256));
        Compare("img", Text(Img), Text(here.Img));
        Compare("batch", Text(Batch), Text(here.Batch));
        Compare("conf", PythonRepr.Float(Conf), PythonRepr.Float(here.Conf));
        Compare("iou", PythonRepr.Float(Iou), PythonRepr.Float(here.Iou));
        Compare("criterion", Text(Criterion), Text(here.Criterion));
        Compare("seed", Text(Seed), Text(here.Seed));
        Compare("importance precision", ImportancePrecision, here.ImportancePrecision);
        Compare("round-to", Text(RoundTo), Text(here.RoundTo));
        return differences;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    // Enough of a SHA-256 to tell two files apart in a message.
    private static string Short(string digest) => digest.Length > 12 ? $"sha256 {digest[..12]}…" : digest;
}
