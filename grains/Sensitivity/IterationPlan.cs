using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Sensitivity;

/// <summary>An aggregator's task list, stored once when the iteration opens, apart from its often-written
/// <see cref="IterationState"/>: the tasks are most of the data, and rewriting them with every lease made each write
/// cost milliseconds.</summary>
[GenerateSerializer, Alias("PruneCluster.IterationPlan")]
public sealed class IterationPlan
{
    [Id(0)] public List<VariantTask> Tasks { get; set; } = [];
}
