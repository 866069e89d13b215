using System.Collections.Immutable;

namespace PruneCluster.Grains.Contracts;

/// <summary>
/// What a job runs: its input checkpoint (artifact digest), the data set (yaml path every silo sees and the digest
/// its listing must have), the campaign's settings (campaign.yaml text) and, for <see cref="JobKind.Prune"/>, the
/// layers to prune. Plain data; the silo's job runner reads the artifacts from the shared store.
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.CampaignJob")]
public sealed record CampaignJob(
    [property: Id(0)] JobKey Key,
    [property: Id(1)] string InputDigest,
    [property: Id(2)] string DataYaml,
    [property: Id(3)] string DataDigest,
    [property: Id(4)] string SpecYaml,
    [property: Id(5)] ImmutableArray<PrunedLayer> Layers);
