using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Sensitivity;

/// <summary>One variant's result, written once: a repeated evaluation (a lease that expired while its silo was only
/// slow) records nothing new and gets the first result back.</summary>
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
        await state.WriteStateAsync();
        return result;
    }

    public Task<VariantResult?> Get() => Task.FromResult(state.State.Result);
}
