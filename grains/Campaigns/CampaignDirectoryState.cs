using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Campaigns;

/// <summary>The campaign directory's stored state: every campaign, oldest first.</summary>
[GenerateSerializer, Alias("PruneCluster.CampaignDirectoryState")]
public sealed class CampaignDirectoryState
{
    [Id(0)] public List<CampaignEntry> Campaigns { get; set; } = [];
}
