using System.Collections.Immutable;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Simulation;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// Cancelling a campaign in its sensitivity phase withdraws the iteration from the work board: leases end, slots stop at
/// their next renewal (not at the end of their variant) and lease nothing more; resuming posts it again and it completes
/// with every (layer, rate) once.
/// </summary>
[Collection(SimulatedCampaignCollection.Name)]
public sealed class CampaignCancelTests(SimulatedCampaignFixture fixture)
{
    private const string Spec = """
        sensitivity:
          rates: [0.25, 0.5]
        stop:
          max_iterations: 1
        """;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task SlotsStopAWithdrawnVariantAtTheirNextRenewalInsteadOfFinishingIt()
    {
        // Variants of 20-40 s (twenty times yolov7's costs at 10 ms per GFLOP), leases renewed every 0.5 s.
        var tasks = SimulatedWorkload.Tasks("long", 1, 10, [0.5]).Select(t => t with { Cost = 20 * t.Cost }).ToImmutableArray();
        var iteration = await IterationRun.Open(fixture.Grains, tasks, TimeSpan.FromSeconds(1.5));
        await fixture.WaitForStatus(s => s.Silos.Sum(x => x.Slots.Count(slot => slot.Activity?.Campaign == "long")) == 5, Timeout, "every slot on the long variants");

        await iteration.Withdraw();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await fixture.WaitForStatus(s => s.Silos.All(x => x.ReportAge is not null && x.Slots.All(slot => !slot.Busy)), Timeout, "every slot idle after the withdrawal");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the slots took {clock.Elapsed.TotalSeconds:0.0} s to stop: they finished their variants");
        var status = await iteration.GetStatus();
        Assert.Equal(0, status.Done);
        Assert.Empty(status.Leases);
        Assert.Empty(status.Failed);   // a stopped evaluation is not a failure
    }

    [Fact]
    public async Task CancelWithdrawsTheIterationSlotsStopAndResumeCompletesEveryVariantOnce()
    {
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>("withdrawn");
        await campaign.Start(new CampaignStart("withdrawn", "sha256:simulated", "simulated.yaml", "simulated", Spec, DateTime.UtcNow));
        var iteration = fixture.Grains.GetGrain<ISensitivityIterationGrain>("withdrawn/1");
        var board = fixture.Grains.GetGrain<IWorkBoardGrain>(WorkBoards.Sensitivity);
        var running = await IterationRun.WaitFor(iteration, s => s.Done >= 5 && s.Leases.Length >= 3, Timeout);
        Assert.Contains("withdrawn/1", await board.OpenIterations());
        // The slots evaluating it just before the cancel, as their reports say (reported every 0.2 s).
        var before = await fixture.WaitForStatus(s => OnTheCampaign(s).Count > 0, Timeout, "a slot evaluating the campaign");
        var watched = OnTheCampaign(before);

        var cancelled = await campaign.Cancel();
        Assert.Equal(CampaignPhase.Cancelled, cancelled.Phase);
        var withdrawn = await iteration.GetStatus();
        Assert.True(withdrawn.Withdrawn);
        Assert.Empty(withdrawn.Leases);
        Assert.Equal(0, withdrawn.Waiting);
        Assert.DoesNotContain("withdrawn/1", await board.OpenIterations());
        foreach (var lease in running.Leases)
            Assert.Equal(LeaseRenewal.Withdrawn, await iteration.Renew(lease.Id));

        // Watched from the cancel on: the slots that were busy stop within a few renewals (every 0.5 s) — a result
        // already in hand may still come in — and after that none arrives: they took nothing more of it.
        var stopped = await fixture.WaitForStatus(s => s.Silos.All(x => x.ReportAge is not null) && !OnTheCampaign(s).Overlaps(watched),
            Timeout, $"the slots busy at the cancel ({string.Join(", ", watched)}) leaving the campaign");
        Assert.DoesNotContain(stopped.Queue, q => q.Key == "withdrawn/1");
        var settled = await iteration.GetStatus();
        await Task.Delay(2000);
        var later = await iteration.GetStatus();
        Assert.Equal(settled.Done, later.Done);
        Assert.Empty(later.Leases);
        Assert.False(later.Complete);
        Assert.Empty(OnTheCampaign(await fixture.Status()));
        // Only results already in hand at the cancel came in: at most one evaluated and one prefetched per slot (5 slots).
        Assert.True(later.Done - withdrawn.Done <= 10, $"{later.Done - withdrawn.Done} results after the cancel: the slots went on");

        await campaign.Resume();
        var complete = await IterationRun.WaitFor(iteration, s => s.Complete, Timeout);
        var tasks = SimulatedWorkload.Tasks("withdrawn", 1, SimulatedCampaignFixture.Layers, [0.25, 0.5]);
        var results = await iteration.GetResults();
        Assert.Equal(tasks.Select(t => t.Key), results.Select(r => r.Key));
        Assert.All(tasks.Zip(results), p => Assert.True(p.Second.SameMetrics(SimulatedEvaluator.Metrics(p.First)), $"{p.First.Key.GrainKey} differs"));
        Assert.Equal(tasks.Length, complete.Done);
        Assert.Equal(tasks.Length, complete.DonePerSilo.Values.Sum());
        Assert.Empty(complete.Failed);
        Assert.False(complete.Withdrawn);
        Assert.DoesNotContain("withdrawn/1", await board.OpenIterations());

        await campaign.Cancel();   // the rest of the campaign is not this test's
    }

    // The slots busy with the "withdrawn" campaign (silo and slot: one that moves on to another of its variants still counts).
    private static HashSet<string> OnTheCampaign(ClusterStatus status) =>
        [.. status.Silos.SelectMany(silo => silo.Slots.Where(x => x.Activity?.Campaign == "withdrawn")
            .Select(x => $"{silo.Address} slot {x.Index}"))];
}
