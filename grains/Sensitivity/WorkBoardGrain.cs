using System.Collections.Immutable;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Sensitivity;

/// <summary>The cluster's list of iterations with open work; persisted, so that slots find the work after a restart.</summary>
public sealed class WorkBoardGrain(
    [PersistentState("board", StorageNames.Cluster)] IPersistentState<WorkBoardState> state) : Grain, IWorkBoardGrain
{
    public async Task Post(string iterationKey)
    {
        if (state.State.Open.Contains(iterationKey))
            return;
        state.State.Open.Add(iterationKey);
        await state.WriteStateAsync();
    }

    public async Task Remove(string iterationKey)
    {
        if (state.State.Open.Remove(iterationKey))
            await state.WriteStateAsync();
    }

    public Task<ImmutableArray<string>> OpenIterations() => Task.FromResult(state.State.Open.ToImmutableArray());
}
