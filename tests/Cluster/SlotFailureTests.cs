using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Simulation;

namespace PruneCluster.Tests.Cluster;

/// <summary>Evaluation slots facing failures: an evaluation that always fails, and storage writes that fail.</summary>
public sealed class SlotFailureTests(FaultyClusterFixture fixture) : IClassFixture<FaultyClusterFixture>
{
    private static readonly double[] Rates = [0.25, 0.5, 0.75];

    [Fact]
    public async Task AVariantWhoseEvaluationAlwaysFailsIsGivenUpAndTheIterationCompletesWithFailures()
    {
        var tasks = SimulatedWorkload.Tasks(FaultyClusterFixture.BrokenCampaign, 0, 4, Rates);
        var iteration = await IterationRun.Open(fixture.Cluster.Client, tasks, TimeSpan.FromSeconds(30));
        var status = await IterationRun.WaitFor(iteration, s => s.Complete, TimeSpan.FromSeconds(60));

        Assert.True(status.CompletedWithFailures);
        Assert.Equal(tasks.Where(t => t.Key.Layer == FaultyClusterFixture.BrokenLayer).Select(t => t.Key).Order(KeyOrder), status.Failed.Select(f => f.Key).Order(KeyOrder));
        Assert.All(status.Failed, f => Assert.Equal(ISensitivityIterationGrain.MaxAttempts, f.Attempts));
        Assert.All(status.Failed, f => Assert.Equal("InvalidDataException: layer 1 cannot be evaluated here", f.Error));
        var results = await iteration.GetResults();
        Assert.Equal(tasks.Where(t => t.Key.Layer != FaultyClusterFixture.BrokenLayer).Select(t => t.Key), results.Select(r => r.Key));
        Assert.Empty(status.Leases);
        Assert.DoesNotContain(tasks[0].Key.IterationKey, await fixture.Cluster.Client.GetGrain<IWorkBoardGrain>(0).OpenIterations());
    }

    [Fact]
    public async Task SlotsRetryCallsWhoseWritesFailAndEveryVariantCompletesOnce()
    {
        // Every third write of the aggregator's state fails (after Open's), so leases, completions and the final write
        // all meet failures; the board's first removal fails too.
        var tasks = SimulatedWorkload.Tasks("flaky", 0, 10, Rates);
        var before = fixture.Faults.Injected;
        var boardFailures = 0;
        bool FailAggregatorWrites(string state, string grain, int writes) => state == "iteration" && grain == "flaky/0" && writes > 0 && writes % 3 == 0;
        fixture.Faults.FailWrite = FailAggregatorWrites;
        try
        {
            var iteration = await IterationRun.Open(fixture.Cluster.Client, tasks, TimeSpan.FromSeconds(30));
            // The next board write is the iteration's removal once complete: it fails once.
            fixture.Faults.FailWrite = (state, grain, writes) =>
                FailAggregatorWrites(state, grain, writes) || (state == "board" && Interlocked.Exchange(ref boardFailures, 1) == 0);
            var status = await IterationRun.WaitFor(iteration, s => s.Complete, TimeSpan.FromSeconds(60));

            Assert.Empty(status.Failed);
            Assert.Equal(tasks.Select(t => t.Key), (await iteration.GetResults()).Select(r => r.Key));
            Assert.All(tasks.Zip(await iteration.GetResults()), p => Assert.True(p.Second.SameMetrics(SimulatedEvaluator.Metrics(p.First))));
            Assert.True(fixture.Faults.Injected - before >= 3, $"only {fixture.Faults.Injected - before} write failures were injected");
            var board = fixture.Cluster.Client.GetGrain<IWorkBoardGrain>(0);
            for (var i = 0; i < 100 && (await board.OpenIterations()).Contains("flaky/0"); i++)
                await Task.Delay(50);
            Assert.DoesNotContain("flaky/0", await board.OpenIterations());
            Assert.Equal(1, boardFailures);
        }
        finally
        {
            fixture.Faults.FailWrite = (_, _, _) => false;
        }
    }

    private static readonly Comparer<VariantKey> KeyOrder = Comparer<VariantKey>.Create((a, b) => (a.Layer, a.Rate).CompareTo((b.Layer, b.Rate)));
}
