namespace PruneCluster.Grains.Contracts;

/// <summary>The answer to a job lease renewal: keep going, stop (the lease was lost: another slot has the job), or stop (cancelled).</summary>
public enum JobRenewal
{
    Held,
    Lost,
    Cancelled,
}
