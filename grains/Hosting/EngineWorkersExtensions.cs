using Microsoft.Extensions.DependencyInjection;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Grains.Evaluation;
using PruneCluster.Grains.Jobs;

namespace PruneCluster.Grains.Hosting;

public static class EngineWorkersExtensions
{
    /// <summary>
    /// Evaluation slots (devices × slots per device) that run campaign jobs and sensitivity variants with the engine,
    /// reading and writing artifacts in the store at <paramref name="artifacts"/> (the folder every silo shares).
    /// </summary>
    public static ISiloBuilder AddEngineWorkers(this ISiloBuilder silo, string artifacts, IReadOnlyList<string> devices, int slotsPerDevice)
    {
        var store = new ArtifactStore(artifacts);
        silo.AddEvaluationWorkers(o => (o.Devices, o.SlotsPerDevice) = (devices, slotsPerDevice));
        silo.Services.AddSingleton(store);
        silo.Services.AddSingleton<ICampaignJobRunner>(new EngineJobRunner(store));
        return silo;
    }
}
