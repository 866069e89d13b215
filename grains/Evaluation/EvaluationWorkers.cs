using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Microsoft.Extensions.DependencyInjection;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Jobs;

namespace PruneCluster.Grains.Evaluation;

/// <summary>
/// The silo's evaluation slots (devices × slots per device), each pulling work through a <see cref="SlotWorker"/>.
/// Joins the silo lifecycle at the Active stage: slots start once the silo can take calls and stop before it stops
/// serving them, so a graceful shutdown hands every held lease back. A kill (shutdown token already cancelled) hands
/// nothing back: those leases expire and their tasks are redone elsewhere.
/// </summary>
public sealed class EvaluationWorkers(
    IGrainFactory grains,
    IVariantEvaluator evaluator,
    IServiceProvider services,
    IOptions<EvaluationWorkerOptions> options,
    ILocalSiloDetails silo,
    ILogger<EvaluationWorkers> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource stopping = new();
    private readonly CancellationTokenSource abandon = new();
    private readonly List<SlotWorker> workers = [];
    private readonly List<Task> loops = [];

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(EvaluationWorkers), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken cancellationToken)
    {
        var name = silo.SiloAddress.ToString();
        foreach (var slot in options.Value.Slots())
        {
            var jobs = services.GetService<ICampaignJobRunner>() is { } runner ? new SlotJobs(slot, name, grains, runner, logger) : null;
            var worker = new SlotWorker(slot, name, grains, evaluator, jobs, options.Value, logger);
            workers.Add(worker);
            loops.Add(Task.Run(() => worker.RunAsync(stopping.Token, abandon.Token), CancellationToken.None));
        }
        logger.LogInformation("Silo {Silo} evaluates with {Slots} slots on {Devices}.", name, workers.Count, string.Join(",", options.Value.Devices));
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        var graceful = !cancellationToken.IsCancellationRequested;
        await stopping.CancelAsync();
        await Task.WhenAll(loops).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        if (!graceful)
        {
            await abandon.CancelAsync();
            return;
        }
        // Results already evaluated are delivered first (until the shutdown's own deadline), then the rest goes back.
        using (cancellationToken.Register(abandon.Cancel))
            await Task.WhenAll(workers.Select(w => w.Delivered())).ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var lease in workers.SelectMany(w => w.Held))
        {
            try
            {
                await grains.GetGrain<ISensitivityIterationGrain>(lease.Task.Key.IterationKey).Release(lease.Id).WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Could not hand back lease {Lease} of {Iteration}: {Error}; it will expire.", lease.Id, lease.Task.Key.IterationKey, e.Message);
            }
        }
        foreach (var held in workers.Select(w => w.HeldJob).OfType<(string Job, string LeaseId)>())
        {
            try
            {
                await grains.GetGrain<IJobGrain>(held.Job).Release(held.LeaseId).WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Could not hand back job {Job}: {Error}; its lease will expire.", held.Job, e.Message);
            }
        }
    }
}
