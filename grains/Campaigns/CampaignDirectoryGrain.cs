using System.Collections.Immutable;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Campaigns;

/// <summary>The cluster's campaigns; persisted, so that <c>campaign list</c> shows them after a restart.</summary>
public sealed class CampaignDirectoryGrain(
    [PersistentState("campaigns", StorageNames.Cluster)] IPersistentState<CampaignDirectoryState> state) : Grain, ICampaignDirectoryGrain
{
    public async Task Add(CampaignEntry entry)
    {
        if (state.State.Campaigns.Any(c => c.Id == entry.Id))
            return;
        state.State.Campaigns.Add(entry);
        await state.WriteStateAsync();
    }

    public Task<ImmutableArray<CampaignEntry>> List() => Task.FromResult(state.State.Campaigns.ToImmutableArray());
}
