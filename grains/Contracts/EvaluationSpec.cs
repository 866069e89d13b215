using System.Collections.Immutable;

namespace PruneCluster.Grains.Contracts;

/// <summary>
/// What an evaluator needs besides the variant: the campaign's model and data (by content digest; artifacts and data
/// are read from storage every silo sees, never sent through grains) and the evaluation settings. Plain data.
/// </summary>
/// <param name="ModelDigest">The weights in the artifact store, <c>sha256:&lt;hex&gt;</c>.</param>
/// <param name="DataDigest">The val split's listing digest (engine DatasetDigest, lowercase hex): a silo whose copy differs refuses.</param>
/// <param name="DataYaml">The data yaml, at a path every silo sees.</param>
/// <param name="Conf">NMS confidence threshold (test.py's 0.001).</param>
/// <param name="Iou">NMS IoU threshold (test.py's 0.65).</param>
/// <param name="ImportancePrecision">"stored" or "float32", as the sensitivity command's option.</param>
/// <param name="Rates">The iteration's rates and <paramref name="Layers"/> its layers (empty: all): what a silo's
/// activation cache plans for, as the local command plans for its whole run. Results do not depend on them.</param>
/// <param name="ActivationCacheBytes">Memory for the unpruned activations a slot keeps (the command's --activation-cache-gb).</param>
/// <param name="RoundTo">Each pruned layer keeps a multiple of this many filters (campaign.yaml selection.round_to).</param>
[GenerateSerializer, Immutable, Alias("PruneCluster.EvaluationSpec")]
public sealed record EvaluationSpec(
    [property: Id(0)] string ModelDigest,
    [property: Id(1)] string DataDigest,
    [property: Id(2)] int Img,
    [property: Id(3)] int Batch,
    [property: Id(4)] int Criterion,
    [property: Id(5)] int Seed,
    [property: Id(6)] string DataYaml = "",
    [property: Id(7)] double Conf = 0.001,
    [property: Id(8)] double Iou = 0.65,
    [property: Id(9)] string ImportancePrecision = "stored",
    [property: Id(10)] ImmutableArray<double> Rates = default,
    [property: Id(11)] ImmutableArray<int> Layers = default,
    [property: Id(12)] long ActivationCacheBytes = 4L << 30,
    [property: Id(13)] int RoundTo = 1)
{
    // Value equality over the lists too (ImmutableArray compares references), so equal specs share a slot's cache.
    public bool Equals(EvaluationSpec? other) =>
        other is not null && ModelDigest == other.ModelDigest && DataDigest == other.DataDigest && Img == other.Img && Batch == other.Batch
        && Criterion == other.Criterion && Seed == other.Seed && DataYaml == other.DataYaml && Conf.Equals(other.Conf) && Iou.Equals(other.Iou)
        && ImportancePrecision == other.ImportancePrecision && Items(Rates).SequenceEqual(Items(other.Rates))
        && Items(Layers).SequenceEqual(Items(other.Layers)) && ActivationCacheBytes == other.ActivationCacheBytes
        && RoundTo == other.RoundTo;

    public override int GetHashCode() => HashCode.Combine(ModelDigest, DataDigest, Img, Batch, Criterion, Seed, DataYaml);

    /// <summary>The items of a list that may be default (a spec made without it).</summary>
    public static ReadOnlySpan<T> Items<T>(ImmutableArray<T> list) => list.IsDefault ? [] : list.AsSpan();
}
