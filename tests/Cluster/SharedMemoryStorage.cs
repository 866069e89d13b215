using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Storage;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// Grain storage in this test process's memory, shared by every silo of a test cluster and outliving activations, with
/// injectable write failures (<see cref="StorageFaults"/>). States are deep-copied in and out, as a real store
/// serializes them.
/// </summary>
public sealed class SharedMemoryStorage(ConcurrentDictionary<(string, GrainId), (object State, int Writes)> data, StorageFaults faults, DeepCopier copier) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        faults.CountRead(stateName, grainId.Key.ToString()!);
        if (data.TryGetValue((stateName, grainId), out var stored))
        {
            grainState.State = copier.Copy((T)stored.State);
            grainState.ETag = stored.Writes.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await Task.Yield();   // a real store answers later, not inline
        var writes = data.TryGetValue((stateName, grainId), out var stored) ? stored.Writes : 0;
        if (faults.ShouldFail(stateName, grainId.Key.ToString()!))
            throw new IOException($"injected write failure of {stateName} for {grainId}");
        data[(stateName, grainId)] = (copier.Copy(grainState.State)!, writes + 1);
        grainState.ETag = (writes + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        data.TryRemove((stateName, grainId), out _);
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
