using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Engine.Runtime;

namespace PruneCluster.Grains.Evaluation;

public static class EvaluationWorkersExtensions
{
    /// <summary>
    /// Gives the silo evaluation slots that pull sensitivity work (none when the options have 0 slots). The host
    /// registers the <see cref="IVariantEvaluator"/>.
    /// </summary>
    public static ISiloBuilder AddEvaluationWorkers(this ISiloBuilder silo, Action<EvaluationWorkerOptions> configure)
    {
        silo.Services.Configure(configure);
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<EvaluationWorkers>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(s => s.GetRequiredService<EvaluationWorkers>());
        return silo;
    }

    /// <summary>
    /// Evaluates with the engine (<see cref="EngineVariantEvaluator"/>): models from the artifact store at
    /// <paramref name="artifacts"/>, one engine runtime for the silo's slots.
    /// </summary>
    public static ISiloBuilder AddEngineEvaluator(this ISiloBuilder silo, string artifacts)
    {
        silo.Services.AddSingleton(new ArtifactStore(artifacts));
        silo.Services.AddSingleton(_ => EngineRuntime.ForProcess());
        silo.Services.AddSingleton<IVariantEvaluator>(s => new EngineVariantEvaluator(
            s.GetRequiredService<ArtifactStore>(), s.GetRequiredService<EngineRuntime>(), s.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString()));
        return silo;
    }
}
