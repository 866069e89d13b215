namespace PruneCluster.Grains.Contracts;

/// <summary>
/// What starts a campaign, all checked by the client before it is sent: the base checkpoint as an artifact digest
/// (the client uploads it to the store first), the data set's yaml on a path every silo sees and the digest of its
/// file listing (a silo whose copy differs refuses the work), and the campaign's settings as campaign.yaml text
/// ("" = the paper's defaults; the coordinator parses it with the engine's reader).
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.CampaignStart")]
public sealed record CampaignStart(
    [property: Id(0)] string Name,
    [property: Id(1)] string WeightsDigest,
    [property: Id(2)] string DataYaml,
    [property: Id(3)] string DataDigest,
    [property: Id(4)] string SpecYaml,
    [property: Id(5)] DateTime Created);
