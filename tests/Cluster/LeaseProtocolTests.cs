using Orleans.Core.Internal;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Simulation;

namespace PruneCluster.Tests.Cluster;

/// <summary>The aggregator's and variant grain's protocol call by call: order, expiry, renewal, release, idempotence.</summary>
public sealed class LeaseProtocolTests(AggregatorFixture fixture) : IClassFixture<AggregatorFixture>
{
    private static readonly double[] Rates = [0.25, 0.5, 0.75];

    private IGrainFactory Grains => fixture.Cluster.Client;

    [Fact]
    public async Task LeasesGoLargestCostFirstAndEndWhenNothingWaits()
    {
        var tasks = SimulatedWorkload.Tasks("order", 0, 89, Rates);
        var iteration = await IterationRun.Open(Grains, tasks, TimeSpan.FromMinutes(30));
        var leased = new List<Lease>();
        while (await iteration.Lease("test", 0) is { } lease)
            leased.Add(lease);

        Assert.Equal(tasks.Length, leased.Count);
        Assert.Equal(tasks.Select(t => t.Key).Order(KeyOrder), leased.Select(l => l.Task.Key).Order(KeyOrder));
        Assert.Equal(tasks.Max(t => t.Cost), leased[0].Task.Cost);
        Assert.True(leased.Zip(leased.Skip(1)).All(p => p.First.Task.Cost >= p.Second.Task.Cost), "costs never increase");
        Assert.Contains("order/0", await Grains.GetGrain<IWorkBoardGrain>(0).OpenIterations());
    }

    [Fact]
    public async Task OpeningTwiceKeepsTheFirstTasks()
    {
        var tasks = SimulatedWorkload.Tasks("reopen", 0, 4, Rates);
        var iteration = await IterationRun.Open(Grains, tasks, TimeSpan.FromMinutes(1));
        await iteration.Lease("test", 0);
        var again = await iteration.Open(SimulatedWorkload.Tasks("reopen", 0, 2, Rates), TimeSpan.FromSeconds(1));
        Assert.Equal(tasks.Length, again.Total);
        Assert.Single(again.Leases);
    }

    [Fact]
    public async Task AnUnrenewedLeaseExpiresAndItsTaskIsLeasedAgain()
    {
        var tasks = SimulatedWorkload.Tasks("expiry", 0, 3, Rates);
        var iteration = await IterationRun.Open(Grains, tasks, TimeSpan.FromMilliseconds(300));
        var first = (await iteration.Lease("dead-silo", 1))!;

        var status = await IterationRun.WaitFor(iteration, s => s.Expired.Length == 1, TimeSpan.FromSeconds(5));
        Assert.Equal(first.Id, status.Expired[0].Id);
        Assert.Equal("dead-silo", status.Expired[0].Silo);
        Assert.Equal(LeaseRenewal.Lost, await iteration.Renew(first.Id));
        var again = (await iteration.Lease("live-silo", 0))!;
        Assert.Equal(first.Task, again.Task);
        Assert.NotEqual(first.Id, again.Id);
    }

    [Fact]
    public async Task ARenewedLeaseOutlivesItsTtl()
    {
        // Renewed every 0.2 s for 4 s against a 3 s TTL: it outlives the TTL, with room for a loaded machine's stalls.
        var iteration = await IterationRun.Open(Grains, SimulatedWorkload.Tasks("renew", 0, 2, Rates), TimeSpan.FromSeconds(3));
        var lease = (await iteration.Lease("silo", 0))!;
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(200);
            Assert.Equal(LeaseRenewal.Held, await iteration.Renew(lease.Id));
        }
        var status = await iteration.GetStatus();
        Assert.Empty(status.Expired);
        Assert.Equal(lease.Id, Assert.Single(status.Leases).Id);
    }

    [Fact]
    public async Task AReleasedTaskIsTheNextOneLeased()
    {
        var iteration = await IterationRun.Open(Grains, SimulatedWorkload.Tasks("release", 0, 5, Rates), TimeSpan.FromMinutes(1));
        var largest = (await iteration.Lease("stopping-silo", 0))!;
        await iteration.Release(largest.Id);
        Assert.Equal(largest.Task, (await iteration.Lease("other-silo", 0))!.Task);
        Assert.Empty((await iteration.GetStatus()).Expired);
    }

    [Fact]
    public async Task TheFirstResultWinsAndLaterOnesAreIgnored()
    {
        var tasks = SimulatedWorkload.Tasks("complete", 0, 2, Rates);
        var iteration = await IterationRun.Open(Grains, tasks, TimeSpan.FromMinutes(1));
        var lease = (await iteration.Lease("a", 0))!;
        var first = SimulatedEvaluator.Metrics(lease.Task) with { Silo = "a", Device = "cpu" };
        var late = first with { Map = 0.123, Silo = "b" };

        Assert.True(await iteration.Complete(lease.Id, first));
        Assert.False(await iteration.Complete(lease.Id, late));
        Assert.False(await iteration.Complete("another-lease", late));
        var status = await iteration.GetStatus();
        Assert.Equal(1, status.Done);
        Assert.Equal(tasks.Length - 1, status.Waiting);
        Assert.Equal(first, Assert.Single(await iteration.GetResults()));
        var stranger = first with { Key = first.Key with { Campaign = "elsewhere" } };
        await Assert.ThrowsAsync<ArgumentException>(() => iteration.Complete(lease.Id, stranger));
    }

    [Fact]
    public async Task CompletingEveryTaskTakesTheIterationOffTheBoard()
    {
        var tasks = SimulatedWorkload.Tasks("finish", 0, 2, Rates);
        var iteration = await IterationRun.Open(Grains, tasks, TimeSpan.FromMinutes(1));
        while (await iteration.Lease("a", 0) is { } lease)
            await iteration.Complete(lease.Id, SimulatedEvaluator.Metrics(lease.Task));
        Assert.True((await iteration.GetStatus()).Complete);
        Assert.DoesNotContain("finish/0", await Grains.GetGrain<IWorkBoardGrain>(0).OpenIterations());
    }

    [Fact]
    public async Task AWithdrawnIterationLeavesTheBoardEndsItsLeasesAndLeasesNothingUntilOpenedAgain()
    {
        var tasks = SimulatedWorkload.Tasks("withdraw", 1, 4, Rates);
        var iteration = await IterationRun.Open(Grains, tasks, TimeSpan.FromMinutes(1));
        var done = (await iteration.Lease("a", 0))!;
        await iteration.Complete(done.Id, SimulatedEvaluator.Metrics(done.Task));
        var held = (await iteration.Lease("a", 0))!;
        var delivered = (await iteration.Lease("b", 0))!;

        await iteration.Withdraw();
        await iteration.Withdraw();   // idempotent
        var withdrawn = await iteration.GetStatus();
        Assert.True(withdrawn.Withdrawn);
        Assert.Empty(withdrawn.Leases);
        Assert.Equal(0, withdrawn.Waiting);
        Assert.DoesNotContain("withdraw/1", await Grains.GetGrain<IWorkBoardGrain>(0).OpenIterations());
        Assert.Equal(LeaseRenewal.Withdrawn, await iteration.Renew(held.Id));
        Assert.Equal(LeaseRenewal.Withdrawn, await iteration.Renew(held.Id));   // asked again: the same answer
        Assert.Empty(await iteration.LeaseMany("a", 0, 5));
        // A result evaluated before the slot learnt of it is kept (the first result wins, as always).
        Assert.True(await iteration.Complete(delivered.Id, SimulatedEvaluator.Metrics(delivered.Task)));

        var reopened = await iteration.Open(tasks, TimeSpan.FromMinutes(1));
        Assert.False(reopened.Withdrawn);
        Assert.Equal(tasks.Length - 2, reopened.Waiting);
        Assert.Contains("withdraw/1", await Grains.GetGrain<IWorkBoardGrain>(0).OpenIterations());
        Assert.Equal(LeaseRenewal.Lost, await iteration.Renew(held.Id));
        var again = new List<VariantKey>();
        while (await iteration.Lease("a", 0) is { } lease)
        {
            again.Add(lease.Task.Key);
            await iteration.Complete(lease.Id, SimulatedEvaluator.Metrics(lease.Task));
        }
        Assert.Equal(tasks.Length - 2, again.Count);
        Assert.DoesNotContain(done.Task.Key, again);
        Assert.DoesNotContain(delivered.Task.Key, again);
        var results = await iteration.GetResults();
        Assert.Equal(tasks.Select(t => t.Key), results.Select(r => r.Key));
        Assert.True((await iteration.GetStatus()).Complete);
        await iteration.Withdraw();   // nothing to withdraw once complete
        Assert.False((await iteration.GetStatus()).Withdrawn);
    }

    [Fact]
    public async Task AVariantResultIsWrittenOnce()
    {
        var task = SimulatedWorkload.Tasks("record", 0, 1, [0.5])[0];
        var variant = Grains.GetGrain<ISensitivityGrain>(task.Key.GrainKey);
        Assert.Null(await variant.Get());
        var first = SimulatedEvaluator.Metrics(task) with { Silo = "a" };

        Assert.Equal(first, await variant.Record(first));
        Assert.Equal(first, await variant.Record(first with { Map = 0.5, Silo = "b" }));
        Assert.Equal(first, await variant.Get());
        await Assert.ThrowsAsync<ArgumentException>(() => Grains.GetGrain<ISensitivityGrain>("record/0/1/0.5").Record(first));
    }

    [Fact]
    public async Task ACompleteWhoseFinalWriteFailedFinishesTheIterationWhenRetried()
    {
        var tasks = SimulatedWorkload.Tasks("final-write", 0, 2, [0.5]);
        var iteration = await IterationRun.Open(Grains, tasks, TimeSpan.FromMinutes(1));
        var leases = new[] { (await iteration.Lease("a", 0))!, (await iteration.Lease("a", 1))! };
        await iteration.Complete(leases[0].Id, SimulatedEvaluator.Metrics(leases[0].Task));
        var last = SimulatedEvaluator.Metrics(leases[1].Task);

        fixture.Faults.FailWrite = (state, grain, _) => state == "iteration" && grain == "final-write/0";
        await Assert.ThrowsAnyAsync<Exception>(() => iteration.Complete(leases[1].Id, last));
        fixture.Faults.FailWrite = (_, _, _) => false;
        Assert.Contains("final-write/0", await Grains.GetGrain<IWorkBoardGrain>(0).OpenIterations());

        Assert.True(await iteration.Complete(leases[1].Id, last), "the retry delivers the same result");
        Assert.True((await iteration.GetStatus()).Complete);
        Assert.DoesNotContain("final-write/0", await Grains.GetGrain<IWorkBoardGrain>(0).OpenIterations());
        Assert.Equal(2, (await iteration.GetResults()).Length);
    }

    [Fact]
    public async Task AnIterationWhoseFirstPostFailedIsOnTheStoredBoardAfterTheRetry()
    {
        var tasks = SimulatedWorkload.Tasks("board-write", 0, 2, [0.5]);
        var iteration = Grains.GetGrain<ISensitivityIterationGrain>(tasks[0].Key.IterationKey);
        var board = Grains.GetGrain<IWorkBoardGrain>(0);
        fixture.Faults.FailWrite = (state, _, _) => state == "board";
        await Assert.ThrowsAnyAsync<Exception>(() => iteration.Open(tasks, TimeSpan.FromMinutes(1)));
        fixture.Faults.FailWrite = (_, _, _) => false;
        Assert.DoesNotContain("board-write/0", await board.OpenIterations());

        await iteration.Open(tasks, TimeSpan.FromMinutes(1));
        // A new activation reads the board from storage: the retried Post must have written it.
        var reads = fixture.Faults.Reads("board", "0");
        await board.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var stored = await WaitForRead(() => board.OpenIterations(), () => fixture.Faults.Reads("board", "0") > reads);
        Assert.Contains("board-write/0", stored);
    }

    [Fact]
    public async Task ALeaseRestoredByANewActivationKeepsItsLiveHolder()
    {
        // The lease is renewed past its TTL (renewals are not stored), then the aggregator moves to a new activation:
        // the holder keeps its lease, and another slot's Lease call does not take it away.
        var ttl = TimeSpan.FromSeconds(1.5);
        var iteration = await IterationRun.Open(Grains, SimulatedWorkload.Tasks("restore", 0, 2, Rates), ttl);
        var held = (await iteration.Lease("holder", 0))!;
        for (var i = 0; i < 12; i++)
        {
            await Task.Delay(200);
            Assert.Equal(LeaseRenewal.Held, await iteration.Renew(held.Id));
        }
        var reads = fixture.Faults.Reads("iteration", "restore/0");
        await iteration.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var other = await WaitForRead(() => iteration.Lease("other", 0), () => fixture.Faults.Reads("iteration", "restore/0") > reads);

        Assert.NotNull(other);
        Assert.NotEqual(held.Task, other.Task);
        Assert.Equal(LeaseRenewal.Held, await iteration.Renew(held.Id));
        Assert.Empty((await iteration.GetStatus()).Expired);
    }

    [Fact]
    public async Task AVariantFailingEveryAttemptIsSettledAsFailedAndTheIterationCompletesWithFailures()
    {
        var tasks = SimulatedWorkload.Tasks("failing", 0, 2, [0.5]);
        var iteration = await IterationRun.Open(Grains, tasks, TimeSpan.FromMinutes(1));
        var broken = tasks[0].Key;
        for (var attempt = 1; attempt <= ISensitivityIterationGrain.MaxAttempts; attempt++)
        {
            var lease = (await iteration.Lease("a", 0))!;
            Assert.Equal(broken, lease.Task.Key);   // a failed task waits again, at its place (largest first)
            await iteration.Fail(lease.Id, broken, $"error {attempt}");
        }
        var status = await iteration.GetStatus();
        Assert.False(status.Complete);
        var failure = Assert.Single(status.Failed);
        Assert.Equal((broken, ISensitivityIterationGrain.MaxAttempts, "error 3"), (failure.Key, failure.Attempts, failure.Error));

        var good = (await iteration.Lease("a", 0))!;
        Assert.Equal(tasks[1].Key, good.Task.Key);
        Assert.Null(await iteration.Lease("a", 1));
        await iteration.Complete(good.Id, SimulatedEvaluator.Metrics(good.Task));
        status = await iteration.GetStatus();
        Assert.True(status.CompletedWithFailures);
        Assert.Equal((1, 2), (status.Done, status.Total));
        Assert.DoesNotContain("failing/0", await Grains.GetGrain<IWorkBoardGrain>(0).OpenIterations());
    }

    // Repeats a call until the storage shows that a new activation read its state (deactivation happens when idle).
    private static async Task<T> WaitForRead<T>(Func<Task<T>> call, Func<bool> activated)
    {
        for (var i = 0; i < 100; i++)
        {
            var value = await call();
            if (activated())
                return value;
            await Task.Delay(50);
        }
        throw new TimeoutException("the grain was not activated again");
    }

    private static readonly Comparer<VariantKey> KeyOrder = Comparer<VariantKey>.Create((a, b) => (a.Layer, a.Rate).CompareTo((b.Layer, b.Rate)));
}
