using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;

namespace PruneCluster.Grains.Hosting;

public static class FileGrainStorageExtensions
{
    /// <summary>Grain storage <paramref name="name"/> in files under <paramref name="folder"/> (see <see cref="FileGrainStorage"/>).</summary>
    public static ISiloBuilder AddFileGrainStorage(this ISiloBuilder silo, string name, string folder)
    {
        silo.Services.AddGrainStorage(name, (services, _) => new FileGrainStorage(folder, services.GetRequiredService<Serializer>()));
        return silo;
    }
}
