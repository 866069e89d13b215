using System.Collections.Immutable;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Sensitivity;

/// <summary>
/// The cluster's list of iterations with open work; persisted, so that slots find the work after a restart. A change
/// whose write fails is undone in memory, so the list never claims what storage does not hold and a retried call
/// writes again.
/// </summary>
public sealed class WorkBoardGrain(
    [PersistentState("board", StorageNames.Cluster)] IPersistentState<WorkBoardState> state) : Grain, IWorkBoardGrain
{
    public async Task Post(string iterationKey)
    {
        if (state.State.Open.Contains(iterationKey))
            return;
        state.State.Open.Add(iterationKey);
        await WriteOrUndo(() => state.State.Open.Remove(iterationKey));
    }

    public async Task Remove(string iterationKey)
    {
        var position = state.State.Open.IndexOf(iterationKey);
        if (position < 0)
            return;
        state.State.Open.RemoveAt(position);
        await WriteOrUndo(() => state.State.Open.Insert(position, iterationKey));
    }

    public Task<ImmutableArray<string>> OpenIterations() => Task.FromResult(state.State.Open.ToImmutableArray());

    // Not reentrant: no other call changes the list between the change and its undo.
    private async Task WriteOrUndo(Action undo)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            undo();
            throw;
        }
    }
}
