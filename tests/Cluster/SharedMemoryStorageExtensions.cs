using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using PruneCluster.Grains;

namespace PruneCluster.Tests.Cluster;

public static class SharedMemoryStorageExtensions
{
    /// <summary>The cluster's grain storage in <paramref name="data"/> (one dictionary for every silo), with <paramref name="faults"/>.</summary>
    public static ISiloBuilder AddSharedMemoryStorage(this ISiloBuilder silo, ConcurrentDictionary<(string, GrainId), (object State, int Writes)> data, StorageFaults faults)
    {
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Cluster, (services, _) => new SharedMemoryStorage(data, faults, services.GetRequiredService<DeepCopier>()));
        return silo;
    }
}
