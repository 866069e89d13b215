using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Sensitivity;

/// <summary>What an aggregator persists: its tasks, the leases out, the results in and the leases that expired.</summary>
[GenerateSerializer, Alias("PruneCluster.IterationState")]
public sealed class IterationState
{
    [Id(0)] public List<VariantTask> Tasks { get; set; } = [];
    [Id(1)] public TimeSpan LeaseTtl { get; set; }
    [Id(2)] public Dictionary<string, Lease> Leases { get; set; } = [];
    // Keyed by VariantKey.GrainKey: plain string keys keep the state readable by any storage serializer.
    [Id(3)] public Dictionary<string, VariantResult> Results { get; set; } = [];
    [Id(4)] public List<Lease> Expired { get; set; } = [];
    [Id(5)] public DateTime? FirstLeased { get; set; }
    [Id(6)] public DateTime? LastCompleted { get; set; }

    public bool IsOpen => Tasks.Count > 0;
    public bool IsComplete => IsOpen && Results.Count == Tasks.Count;
}
