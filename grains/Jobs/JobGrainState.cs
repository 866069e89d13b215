using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Jobs;

/// <summary>What a job grain persists: the job, its lease, attempts, last progress, the result or the last error.</summary>
[GenerateSerializer, Alias("PruneCluster.JobGrainState")]
public sealed class JobGrainState
{
    [Id(0)] public CampaignJob? Job { get; set; }
    [Id(1)] public TimeSpan LeaseTtl { get; set; }
    [Id(2)] public JobLease? Lease { get; set; }
    [Id(3)] public int Attempts { get; set; }
    [Id(4)] public JobProgress? Progress { get; set; }
    [Id(5)] public string? Error { get; set; }
    [Id(6)] public JobResult? Result { get; set; }
    [Id(7)] public JobState State { get; set; } = JobState.NotSubmitted;
    [Id(8)] public DateTime? Started { get; set; }
}
