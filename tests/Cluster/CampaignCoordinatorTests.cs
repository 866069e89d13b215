using PruneCluster.Engine.Campaign;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Jobs;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// Campaigns through the coordinator grain with the real engine: to Finished with the same numbers the engine's phases
/// give locally, cancelled and resumed; a job whose silo is killed is redone on another silo.
/// </summary>
public sealed class CampaignCoordinatorTests(CampaignClusterFixture fixture) : IClassFixture<CampaignClusterFixture>
{
    // One rate at 128 px on 8 images, one epoch: every phase runs, in about a minute on two busy cores.
    private const string Spec = """
        sensitivity:
          rates: [0.5]
          img: 128
          batch: 4
        selection:
          mode: target
          gflops_step: 0.1
        fine_tune:
          epochs: 1
          batch_size: 4
        stop:
          max_iterations: 1
        """;

    [Fact]
    public async Task ACampaignRunsToFinishedAndContinuesAfterCancelAndResume()
    {
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>("finish");
        Assert.Equal(CampaignPhase.NotStarted, (await campaign.GetStatus()).Phase);
        var start = fixture.Start("finish", Spec);
        await campaign.Start(start);
        Assert.NotEqual(CampaignPhase.NotStarted, (await campaign.Start(start)).Phase);   // idempotent
        await Assert.ThrowsAsync<ArgumentException>(() => campaign.Start(start with { Name = "other" }));

        var sensitivity = await fixture.WaitFor("finish", s => s.Phase == CampaignPhase.Sensitivity && s.Sensitivity!.Done > 0, TimeSpan.FromMinutes(4));
        var partial = await campaign.GetTable(1);
        Assert.NotNull(partial);
        Assert.False(partial.Selected);
        Assert.True(partial.Done > 0 && partial.Total == sensitivity.Sensitivity!.Total);

        var cancelled = await campaign.Cancel();
        Assert.Equal(CampaignPhase.Cancelled, cancelled.Phase);
        Assert.Equal(CampaignPhase.Cancelled, (await campaign.GetStatus()).Phase);
        await campaign.Resume();
        var done = await fixture.WaitFor("finish", s => s.Ended, TimeSpan.FromMinutes(8));

        Assert.Equal(CampaignPhase.Finished, done.Phase);
        Assert.Equal(1, done.FinalIteration);
        Assert.Contains("1 iterations done", done.Outcome);
        var local = new CampaignPhases(CampaignSpecFile.Parse(Spec, "spec"), fixture.DataYaml).Measure(CampaignClusterFixture.Weights);
        Assert.Equal((local.Params, local.Gflops, local.Map50, local.Map, start.WeightsDigest),
            (done.Baseline!.Params, done.Baseline.Gflops, done.Baseline.Map50, done.Baseline.Map, done.Baseline.Checkpoint));
        var iteration = Assert.Single(done.Iterations);
        Assert.True(iteration.Selected && !iteration.Selection.IsEmpty);
        Assert.True(iteration.Pruned!.Gflops < done.Baseline.Gflops && iteration.Pruned.Params < done.Baseline.Params);
        Assert.NotNull(iteration.FineTuned);
        Assert.Equal(iteration.Pruned.Params, iteration.FineTuned.Params);
        Assert.True(fixture.Store.Contains(iteration.Pruned.Checkpoint) && fixture.Store.Contains(iteration.FineTuned.Checkpoint));
        Assert.All(new[] { iteration.SensitivitySeconds, iteration.PruneSeconds, iteration.FineTuneSeconds }, s => Assert.True(s > 0));

        var table = await campaign.GetTable(0);
        Assert.NotNull(table);
        Assert.True(table.Complete && table.Selected);
        Assert.Equal(iteration.Selection.Select(l => (l.Layer, l.Rate)).Order(), table.Rows.Where(r => r.Selected).Select(r => (r.Layer, r.Rate)).Order());
        Assert.True(table.Rows.Zip(table.Rows.Skip(1)).All(p => p.First.Score >= p.Second.Score), "ranked by score");
        var record = CampaignRecordFile.FromJson((await campaign.GetRecordJson())!, "record");
        Assert.Equal(iteration.Selection.Select(l => (l.Layer, l.Rate)), record.Iterations[0].Selection!.Select(l => (l.Layer, l.Rate)));
        Assert.Contains(new CampaignEntry("finish", "finish", start.Created), await fixture.Grains.GetGrain<ICampaignDirectoryGrain>(0).List());
    }

    [Fact]
    public async Task AFineTuneJobWhoseSiloIsKilledIsRedoneOnAnotherSilo()
    {
        var start = fixture.Start("killed", Spec.Replace("epochs: 1", "epochs: 3"));
        var key = new JobKey("killed", 1, JobKind.FineTune);
        var job = fixture.Grains.GetGrain<IJobGrain>(key.GrainKey);
        await job.Submit(new CampaignJob(key, start.WeightsDigest, start.DataYaml, start.DataDigest, start.SpecYaml, []), TimeSpan.FromSeconds(6));

        var running = await WaitFor(job, s => s is { State: JobState.Running, Progress.Epoch: >= 2 }, TimeSpan.FromMinutes(4));
        var victim = fixture.Cluster.GetActiveSilos().Single(s => s.SiloAddress.ToString() == running.Silo);
        await fixture.Cluster.KillSiloAsync(victim);
        var done = await WaitFor(job, s => s.State == JobState.Done, TimeSpan.FromMinutes(4));
        await fixture.Cluster.StartAdditionalSiloAsync();   // back to two workers for the other test

        Assert.Equal(2, done.Attempts);
        var result = (await job.GetResult())!;
        Assert.NotEqual(running.Silo, result.Silo);
        Assert.True(fixture.Store.Contains(result.Model!.Checkpoint));
        // The second attempt resumed the run folder: three epochs in its results, none twice.
        var results = File.ReadAllLines(Path.Combine(fixture.Store.Root, "runs", "killed", "1", "results.csv"));
        Assert.Equal(["0", "1", "2"], results.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')[0]));
    }

    private static async Task<JobStatus> WaitFor(IJobGrain job, Func<JobStatus, bool> condition, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var status = await job.GetStatus();
            if (condition(status))
                return status;
            if (status.State is JobState.Failed or JobState.Cancelled || clock.Elapsed > timeout)
                throw new TimeoutException($"job {status.Key.GrainKey}: {status.State}, attempts {status.Attempts}, {status.Error}");
            await Task.Delay(200);
        }
    }
}
