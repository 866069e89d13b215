using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Campaign;

/// <summary>
/// What a campaign folder was started from, by content: a folder is resumed only with the same weights, data and
/// spec, so two campaigns are never mixed. Paths are kept for the report, not compared.
/// </summary>
/// <param name="Weights">The input checkpoint as given.</param>
/// <param name="WeightsSha256">SHA-256 of its bytes.</param>
/// <param name="Data">The data yaml as given.</param>
/// <param name="TrainDigest">The train split's <see cref="DatasetDigest"/>.</param>
/// <param name="ValDigest">The val split's <see cref="DatasetDigest"/>.</param>
public sealed record CampaignInputs(string Weights, string WeightsSha256, string Data, string TrainDigest, string ValDigest)
{
    public static CampaignInputs Measure(string weights, DataYaml data) =>
        new(Path.GetFullPath(weights), FileDigest.Sha256(weights), data.YamlPath, DatasetDigest.Of(data, "train"), DatasetDigest.Of(data, "val"));

    /// <summary>What differs from <paramref name="other"/> (null when nothing that matters does).</summary>
    public string? Difference(CampaignInputs other) =>
        WeightsSha256 != other.WeightsSha256 ? $"other weights ({Weights}, not {other.Weights})"
        : TrainDigest != other.TrainDigest || ValDigest != other.ValDigest ? $"other data ({Data}, not {other.Data})"
        : null;
}
