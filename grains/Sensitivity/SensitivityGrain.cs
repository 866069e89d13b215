using Orleans.Placement;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Sensitivity;

/// <summary>One variant's result, written once: a repeated evaluation (a lease that expired while its silo was only
/// slow) records nothing new and gets the first result back. Placed on the calling silo (the aggregator's), so
/// recording a result is a local call.</summary>
[PreferLocalPlacement]
public sealed class SensitivityGrain(
    [PersistentState("variant", StorageNames.Cluster)] IPersistentState<VariantRecord> state) : Grain, ISensitivityGrain
{
    public async Task<VariantResult> Record(VariantResult result)
    {
        if (state.State.Result is { } stored)
            return stored;
        if (result.Key.GrainKey != this.GetPrimaryKeyString())
            throw new ArgumentException($"result of {result.Key.GrainKey} sent to variant {this.GetPrimaryKeyString()}", nameof(result));
        state.State.Result = result;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Result = null;   // not stored: a retry must write it, not find it
            throw;
        }
        return result;
    }

    public Task<VariantResult?> Get() => Task.FromResult(state.State.Result);
}
