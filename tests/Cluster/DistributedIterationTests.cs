using System.Collections.Immutable;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Simulation;

namespace PruneCluster.Tests.Cluster;

/// <summary>Whole iterations on the three-silo cluster: every variant evaluated once, spread over the silos, also
/// when a silo dies in the middle.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DistributedIterationTests(ClusterFixture fixture)
{
    private static readonly double[] Rates = [0.25, 0.5, 0.75];

    [Fact]
    public async Task IterationCompletesWithOneResultPerVariantFromEverySiloEqualToLocalEvaluation()
    {
        var tasks = SimulatedWorkload.Tasks("spread", 0, 55, Rates);
        var iteration = await IterationRun.Open(fixture.Cluster.Client, tasks, TimeSpan.FromSeconds(5));
        var status = await IterationRun.WaitFor(iteration, s => s.Complete, TimeSpan.FromSeconds(120));

        var results = await iteration.GetResults();
        Assert.Equal(tasks.Select(t => t.Key), results.Select(r => r.Key));
        foreach (var (task, result) in tasks.Zip(results))
        {
            Assert.True(result.SameMetrics(SimulatedEvaluator.Metrics(task)), $"{task.Key.GrainKey} differs from the local evaluation");
            Assert.Equal(result, await fixture.Cluster.Client.GetGrain<ISensitivityGrain>(task.Key.GrainKey).Get());
        }
        var silos = fixture.Cluster.GetActiveSilos().Select(s => s.SiloAddress.ToString()).Order().ToList();
        Assert.Equal(silos, status.DonePerSilo.Keys.Order());
        Assert.All(status.DonePerSilo.Values, done => Assert.True(done > 0));
        Assert.Equal(tasks.Length, status.DonePerSilo.Values.Sum());
        Assert.Empty(status.Leases);
        Assert.DoesNotContain("spread/0", await fixture.Cluster.Client.GetGrain<IWorkBoardGrain>(0).OpenIterations());
    }

    [Fact]
    public async Task IterationCompletesWhenASiloIsKilledAndItsLeasesAreRedoneElsewhere()
    {
        // Five times yolov7's costs (0.1-0.5 s per task): every slot holds its lease most of the time, so the victim
        // surely holds some when it dies.
        var tasks = SimulatedWorkload.Tasks("kill", 0, 40, Rates).Select(t => t with { Cost = 5 * t.Cost }).ToImmutableArray();
        var iteration = await IterationRun.Open(fixture.Cluster.Client, tasks, TimeSpan.FromSeconds(2));
        var secondaries = fixture.Cluster.GetActiveSilos().Skip(1).Select(s => s.SiloAddress.ToString()).ToHashSet();
        var before = await IterationRun.WaitFor(iteration, s => s.Done >= 12 && s.Leases.Any(l => secondaries.Contains(l.Silo)), TimeSpan.FromSeconds(30));
        var victim = fixture.Cluster.GetActiveSilos().First(s => before.Leases.Any(l => l.Silo == s.SiloAddress.ToString()) && secondaries.Contains(s.SiloAddress.ToString()));
        var victimName = victim.SiloAddress.ToString();

        await fixture.Cluster.KillSiloAsync(victim);
        var status = await IterationRun.WaitFor(iteration, s => s.Complete, TimeSpan.FromSeconds(120));
        await fixture.Cluster.StartAdditionalSiloAsync();   // back to three silos for the other tests

        var results = await iteration.GetResults();
        Assert.Equal(tasks.Select(t => t.Key), results.Select(r => r.Key));
        Assert.All(tasks.Zip(results), p => Assert.True(p.Second.SameMetrics(SimulatedEvaluator.Metrics(p.First))));
        var reclaimed = status.Expired.Where(l => l.Silo == victimName).ToList();
        Assert.NotEmpty(reclaimed);
        var byKey = results.ToDictionary(r => r.Key);
        Assert.All(reclaimed, lease => Assert.NotEqual(victimName, byKey[lease.Task.Key].Silo));
        Assert.True(status.DonePerSilo.Count(p => p.Key != victimName && p.Value > 0) == 2, "both surviving silos finished the work");
    }
}
