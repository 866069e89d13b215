using System.Collections.Immutable;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Simulation;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// The cluster status (<see cref="IClusterStatusGrain"/>) on three in-process silos: every active silo with its slots,
/// what the busy ones evaluate, the work board's counts as an iteration runs, and a killed silo's slots dropping out.
/// </summary>
[Collection(SimulatedCampaignCollection.Name)]
public sealed class ClusterStatusTests(SimulatedCampaignFixture fixture)
{
    // Generous: a loaded 2-core machine is easily twice as slow; nothing below is a timing measurement.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private List<string> ActiveSilos() => [.. fixture.Cluster.GetActiveSilos().Select(s => s.SiloAddress.ToString()).Order(StringComparer.Ordinal)];

    private Task<ClusterStatus> AllReportingIdle() => fixture.WaitForStatus(
        s => s.Silos.Length == 3 && s.Silos.All(x => x.ReportAge is not null && x.Slots.All(slot => !slot.Busy)) && s.Queue.IsEmpty, Timeout,
        "three silos reporting idle slots, nothing queued");

    [Fact]
    public async Task StatusShowsEverySiloWithItsSlotsAndTheQueueCountsChangeWhileAnIterationRuns()
    {
        var idle = await AllReportingIdle();
        Assert.Equal(ActiveSilos(), idle.Silos.Select(s => s.Address));
        Assert.Equal([1, 2, 2], idle.Silos.Select(s => s.Slots.Length).Order());
        Assert.Equal(3, idle.Silos.Select(s => s.Name).Where(n => n.Length > 0).Distinct().Count());
        Assert.All(idle.Silos, silo =>
        {
            Assert.Equal("Active", silo.Status);
            Assert.True(silo.Since <= idle.Time && silo.Since > idle.Time - TimeSpan.FromHours(1), $"since {silo.Since:o}, now {idle.Time:o}");
            Assert.Equal(Enumerable.Range(0, silo.Slots.Length), silo.Slots.Select(x => x.Index));
            Assert.All(silo.Slots, slot => Assert.Equal("cpu", slot.Device));
        });
        // Reports keep coming: later, every silo's latest report came in after the one shown above.
        var received = idle.Silos.ToDictionary(s => s.Address, s => idle.Time - s.ReportAge!.Value);
        await fixture.WaitForStatus(s => s.Silos.Length == 3 && s.Silos.All(x => x.ReportAge is { } age && s.Time - age > received[x.Address]),
            Timeout, "a newer report from every silo");

        // 40 variants of 1.3-2.1 s (twice yolov7's costs at 10 ms per GFLOP) on 5 slots: over ten seconds of work, so that
        // the 100 ms snapshots catch every slot busy at once and the done count growing even when the machine is slow.
        var tasks = SimulatedWorkload.Tasks("status", 1, 20, [0.25, 0.5]).Select(t => t with { Cost = 2 * t.Cost }).ToImmutableArray();
        var iteration = await IterationRun.Open(fixture.Grains, tasks, TimeSpan.FromSeconds(5));
        var snapshots = new List<ClusterStatus>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!(await iteration.GetStatus()).Complete)
        {
            Assert.True(clock.Elapsed < Timeout, "the iteration did not complete");
            snapshots.Add(await fixture.Status());
            await Task.Delay(100);
        }

        var queued = snapshots.Select(s => s.Queue.SingleOrDefault(q => q.Key == "status/1")).OfType<QueuedIteration>().ToList();
        Assert.True(queued.Count >= 3, $"{queued.Count} snapshots showed the iteration");
        Assert.All(queued, q =>
        {
            Assert.Equal(tasks.Length, q.Total);
            Assert.Equal(q.Total, q.Waiting + q.Leased + q.Done + q.Failed);
        });
        Assert.True(queued.Zip(queued.Skip(1)).All(p => p.Second.Done >= p.First.Done), "done never decreases");
        Assert.True(queued.Select(q => q.Done).Distinct().Count() >= 3, $"done counts seen: {string.Join(",", queued.Select(q => q.Done).Distinct())}");
        Assert.Contains(queued, q => q.Leased > 0 && q.Waiting > 0);

        var busy = snapshots.SelectMany(s => s.Silos.SelectMany(silo => silo.Slots.Where(x => x.Busy).Select(x => (silo.Address, Work: x.Activity!)))).ToList();
        Assert.Equal(ActiveSilos(), busy.Select(b => b.Address).Distinct().Order(StringComparer.Ordinal));
        Assert.All(busy, b =>
        {
            Assert.Equal((SlotActivity.Variant, "status", 1), (b.Work.Work, b.Work.Campaign, b.Work.Iteration));
            Assert.Contains(tasks, t => t.Key.Layer == b.Work.Layer && t.Key.Rate == b.Work.Rate);
            Assert.InRange(b.Work.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(20));   // a variant takes at most 2.1 s
        });
        Assert.Contains(snapshots, s => s.Silos.Sum(x => x.Slots.Count(slot => slot.Busy)) == 5);

        // Done: off the board, every slot idle again.
        await AllReportingIdle();
    }

    [Fact]
    public async Task AKilledSilosSlotsDropOutOfTheStatus()
    {
        var before = await AllReportingIdle();
        var address = before.Silos.Last(s => s.Slots.Length == 2).Address;   // not the first silo: the others joined it
        var victim = fixture.Cluster.GetActiveSilos().Single(s => s.SiloAddress.ToString() == address);

        await fixture.Cluster.KillSiloAsync(victim);
        try
        {
            // Its reports stop: within three report periods (plus the time the cluster needs to notice) it shows no
            // slots, or is gone from the membership altogether, while the survivors report theirs (the registry may
            // have lived on the victim: it refills from the next reports).
            var after = await fixture.WaitForStatus(s => s.Silos.All(x => x.Address == address ? x.ReportAge is null && x.Slots.IsEmpty : x.ReportAge is not null),
                Timeout, $"the killed silo {address} dropping out");
            Assert.Equal(3, after.Silos.Sum(x => x.Slots.Length));
            Assert.Equal(2, after.Silos.Count(x => x.ReportAge is not null));
        }
        finally
        {
            await fixture.Cluster.StartAdditionalSiloAsync();   // back to three silos (1, 2, 2 slots) for the other tests
        }
        var back = await AllReportingIdle();
        Assert.DoesNotContain(back.Silos, x => x.Address == address);
        Assert.Equal([1, 2, 2], back.Silos.Select(s => s.Slots.Length).Order());
    }
}
