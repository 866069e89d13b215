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
    private Task reporting = Task.CompletedTask;

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
        reporting = Task.Run(() => Report(name, stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    // Tells the cluster's registry what every slot does, every ReportPeriod, until the silo stops (a silo without slots
    // reports too: it shows as a silo that evaluates nothing).
    private async Task Report(string name, CancellationToken stop)
    {
        var registry = grains.GetGrain<IClusterStatusGrain>(0);
        var period = options.Value.ReportPeriod;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await registry.Report(new SiloSlots(name, [.. workers.Select(w => w.Status())], period)).WaitAsync(stop);
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                logger.LogDebug("Silo {Silo} could not report its slots: {Error}", name, e.Message);
            }
            await Task.Delay(period, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        var graceful = !cancellationToken.IsCancellationRequested;
        await stopping.CancelAsync();
        await Task.WhenAll(loops).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        await reporting.ContinueWith(_ => { }, TaskScheduler.Default);
        if (!graceful)
        {
            await abandon.CancelAsync();
            return;
        }
        try
        {
            await grains.GetGrain<IClusterStatusGrain>(0).Leave(silo.SiloAddress.ToString()).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogDebug("Could not take this silo's slots off the registry: {Error}; they drop out by themselves.", e.Message);
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
