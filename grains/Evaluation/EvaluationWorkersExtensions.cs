using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime;

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
}
