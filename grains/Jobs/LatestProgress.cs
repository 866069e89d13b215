using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Jobs;

/// <summary>Keeps the last progress a job reported (from its thread) for the next lease renewal.</summary>
public sealed class LatestProgress : IProgress<JobProgress>
{
    private JobProgress value = JobProgress.Started;

    public JobProgress Value => Volatile.Read(ref value);

    public void Report(JobProgress progress) => Volatile.Write(ref value, progress);
}
