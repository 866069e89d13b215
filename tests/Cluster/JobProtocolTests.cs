using PruneCluster.Grains.Contracts;

namespace PruneCluster.Tests.Cluster;

/// <summary>The job grain's protocol call by call (the test is the only slot): lease, progress, attempts, cancel, result once.</summary>
public sealed class JobProtocolTests(AggregatorFixture fixture) : IClassFixture<AggregatorFixture>
{
    private IGrainFactory Grains => fixture.Cluster.Client;

    private static CampaignJob Job(string campaign, JobKind kind = JobKind.Measure) =>
        new(new JobKey(campaign, 1, kind), "sha256:input", "/data.yaml", "digest", "", []);

    private async Task<IJobGrain> Submit(CampaignJob job, TimeSpan ttl)
    {
        var grain = Grains.GetGrain<IJobGrain>(job.Key.GrainKey);
        Assert.Equal(JobState.Waiting, (await grain.Submit(job, ttl)).State);
        return grain;
    }

    private static JobResult Result(string digest) => new(new ModelSummary(10, 1.5, 0.5, 0.3, digest), [], "test", 1);

    [Fact]
    public async Task AJobIsLeasedOnceRenewedWithProgressAndItsResultIsWrittenOnce()
    {
        var job = Job("once");
        var grain = await Submit(job, TimeSpan.FromMinutes(1));
        Assert.Contains(job.Key.GrainKey, await Grains.GetGrain<IWorkBoardGrain>(WorkBoards.Jobs).OpenIterations());
        Assert.Equal(JobState.Waiting, (await grain.Submit(job with { InputDigest = "sha256:other" }, TimeSpan.FromSeconds(1))).State);

        var lease = await grain.Lease("silo-a", 0);
        Assert.NotNull(lease);
        Assert.Equal("sha256:input", lease.Job.InputDigest);
        Assert.Null(await grain.Lease("silo-b", 0));
        var progress = new JobProgress(0.5, 2, 4, TimeSpan.FromSeconds(30), "epoch 2/4");
        Assert.Equal(JobRenewal.Held, await grain.Renew(lease.Id, progress));
        var running = await grain.GetStatus();
        Assert.Equal((JobState.Running, "silo-a", 1, progress), (running.State, running.Silo, running.Attempts, running.Progress));

        Assert.True(await grain.Complete(lease.Id, Result("sha256:out")));
        Assert.False(await grain.Complete(lease.Id, Result("sha256:late")));
        Assert.Equal("sha256:out", (await grain.GetResult())!.Model!.Checkpoint);
        Assert.Equal(JobState.Done, (await grain.GetStatus()).State);
        Assert.Equal(JobRenewal.Lost, await grain.Renew(lease.Id, progress));
        Assert.DoesNotContain(job.Key.GrainKey, await Grains.GetGrain<IWorkBoardGrain>(WorkBoards.Jobs).OpenIterations());
    }

    [Fact]
    public async Task AnExpiredLeaseCountsAnAttemptAndTheThirdFailureFailsTheJob()
    {
        var grain = await Submit(Job("attempts"), TimeSpan.FromMilliseconds(300));
        var first = await grain.Lease("dead-silo", 0);
        await Task.Delay(600);   // never renewed: the silo died
        var waiting = await grain.GetStatus();
        Assert.Equal((JobState.Waiting, 1), (waiting.State, waiting.Attempts));
        Assert.Contains("dead-silo", waiting.Error);
        Assert.Equal(JobRenewal.Lost, await grain.Renew(first!.Id, JobProgress.Started));

        var second = await grain.Lease("silo-b", 0);
        await grain.Fail(second!.Id, "InvalidDataException: bad data");
        var third = await grain.Lease("silo-c", 0);
        await grain.Fail(third!.Id, "InvalidDataException: bad data");
        var failed = await grain.GetStatus();
        Assert.Equal((JobState.Failed, 3, "InvalidDataException: bad data"), (failed.State, failed.Attempts, failed.Error));
        Assert.Null(await grain.Lease("silo-d", 0));
        Assert.DoesNotContain(failed.Key.GrainKey, await Grains.GetGrain<IWorkBoardGrain>(WorkBoards.Jobs).OpenIterations());
    }

    [Fact]
    public async Task ReleaseHandsBackWithoutAnAttemptAndCancelStopsTheHolder()
    {
        var grain = await Submit(Job("cancel", JobKind.FineTune), TimeSpan.FromMinutes(1));
        var lease = await grain.Lease("stopping-silo", 0);
        await grain.Release(lease!.Id);
        Assert.Equal((JobState.Waiting, 0), ((await grain.GetStatus()).State, (await grain.GetStatus()).Attempts));

        var again = await grain.Lease("silo-b", 1);
        await grain.Cancel();
        Assert.Equal(JobRenewal.Cancelled, await grain.Renew(again!.Id, JobProgress.Started));
        Assert.False(await grain.Complete(again.Id, Result("sha256:cancelled")));
        Assert.Equal(JobState.Cancelled, (await grain.GetStatus()).State);
        Assert.Null(await grain.Lease("silo-c", 0));
    }
}
