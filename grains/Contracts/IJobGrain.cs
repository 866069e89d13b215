namespace PruneCluster.Grains.Contracts;

/// <summary>
/// One long campaign step, key <see cref="JobKey.GrainKey"/>: submitted once by the coordinator, leased by one
/// evaluation slot at a time with a TTL the slot renews with progress; a lease not renewed in time (dead or stalled
/// silo) returns the job to the queue, and a failure counts an attempt (after <see cref="MaxAttempts"/> the job is
/// Failed). The result is written once. Cancelling makes the next renewal answer <see cref="JobRenewal.Cancelled"/>.
/// </summary>
[Alias("PruneCluster.IJobGrain")]
public interface IJobGrain : IGrainWithStringKey
{
    const int MaxAttempts = 3;

    /// <summary>Submits the job; submitting a submitted job changes nothing.</summary>
    [Alias("Submit")]
    Task<JobStatus> Submit(CampaignJob job, TimeSpan leaseTtl);

    /// <summary>The job leased to this slot, or null when it is not waiting.</summary>
    [Alias("Lease")]
    Task<JobLease?> Lease(string silo, int slot);

    [Alias("Renew")]
    Task<JobRenewal> Renew(string leaseId, JobProgress progress);

    /// <summary>Records the result; false when the lease is no longer held or a result exists.</summary>
    [Alias("Complete")]
    Task<bool> Complete(string leaseId, JobResult result);

    /// <summary>Counts a failed attempt; the job waits again, or is Failed after <see cref="MaxAttempts"/>.</summary>
    [Alias("Fail")]
    Task Fail(string leaseId, string error);

    /// <summary>Hands the job back at once without counting an attempt (graceful shutdown).</summary>
    [Alias("Release")]
    Task Release(string leaseId);

    [Alias("Cancel")]
    Task Cancel();

    [Alias("GetStatus")]
    Task<JobStatus> GetStatus();

    [Alias("GetResult")]
    Task<JobResult?> GetResult();
}
