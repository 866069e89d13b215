using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Sensitivity;

/// <summary>
/// What an aggregator persists with every change: the leases out, which tasks are done (flags by task index of its
/// <see cref="IterationPlan"/>; the results themselves live in the variant grains), attempts and failures, and the
/// leases that expired. The task list is stored apart, once, so that each write stays small.
/// </summary>
[GenerateSerializer, Alias("PruneCluster.IterationState")]
public sealed class IterationState
{
    // Id 0 held the task list until it moved to IterationPlan; not reused.
    [Id(1)] public TimeSpan LeaseTtl { get; set; }
    [Id(2)] public Dictionary<string, Lease> Leases { get; set; } = [];
    // Id 3 held the results until they moved to the variant grains; not reused.
    [Id(4)] public List<Lease> Expired { get; set; } = [];
    [Id(5)] public DateTime? FirstLeased { get; set; }
    [Id(6)] public DateTime? LastCompleted { get; set; }
    [Id(7)] public bool[] Done { get; set; } = [];
    [Id(8)] public Dictionary<string, int> DonePerSilo { get; set; } = [];
    [Id(9)] public int[] Attempts { get; set; } = [];
    // Task index → the last error of a variant that failed on every attempt.
    [Id(10)] public Dictionary<int, string> Failures { get; set; } = [];
    // Set once the iteration is complete and off the work board; until then every call and the timer try to finish it.
    [Id(11)] public bool Finished { get; set; }
    [Id(12)] public int DoneCount { get; set; }
    // Off the work board because its campaign was cancelled: no leases, nothing leased until Open posts it again.
    [Id(13)] public bool Withdrawn { get; set; }

    public bool IsOpen => Done.Length > 0;

    public bool IsSettled(int task) => Done[task] || Failures.ContainsKey(task);

    public bool IsComplete => IsOpen && DoneCount + Failures.Count == Done.Length;
}
