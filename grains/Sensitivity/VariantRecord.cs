using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Sensitivity;

/// <summary>A variant grain's stored state: its result once recorded.</summary>
[GenerateSerializer, Alias("PruneCluster.VariantRecord")]
public sealed class VariantRecord
{
    [Id(0)] public VariantResult? Result { get; set; }
}
