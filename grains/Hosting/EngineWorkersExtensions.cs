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
    public static ISiloBuilder AddEngineWorkers(this ISiloBuilder silo, string artifacts, IReadOnlyList<string> devices, int slotsPerDevice) =>
        silo.AddEvaluationWorkers(o => (o.Devices, o.SlotsPerDevice) = (devices, slotsPerDevice))
            .AddEngineEvaluator(artifacts)
            .AddCampaignJobs();

    /// <summary>Lets the silo's slots run campaign jobs with the engine (<see cref="EngineJobRunner"/>) on the registered artifact store.</summary>
    public static ISiloBuilder AddCampaignJobs(this ISiloBuilder silo)
    {
        silo.Services.AddSingleton<ICampaignJobRunner>(s => new EngineJobRunner(s.GetRequiredService<ArtifactStore>()));
        return silo;
    }
}
