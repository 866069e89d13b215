using System.Collections.Immutable;
using Orleans.Concurrency;

namespace PruneCluster.Grains.Contracts;

/// <summary>The cluster's campaigns (one directory, key 0), persisted; coordinators add themselves when started.</summary>
[Alias("PruneCluster.ICampaignDirectoryGrain")]
public interface ICampaignDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Add")]
    Task Add(CampaignEntry entry);

    /// <summary>Every campaign, oldest first.</summary>
    [Alias("List"), ReadOnly]
    Task<ImmutableArray<CampaignEntry>> List();
}
