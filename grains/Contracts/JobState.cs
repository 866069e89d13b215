namespace PruneCluster.Grains.Contracts;

/// <summary>A job's life: waiting for a slot, running under a lease, done (result written), failed on every attempt, or cancelled.</summary>
public enum JobState
{
    NotSubmitted,
    Waiting,
    Running,
    Done,
    Failed,
    Cancelled,
}
