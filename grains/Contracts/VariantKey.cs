using System.Globalization;

namespace PruneCluster.Grains.Contracts;

/// <summary>One sensitivity variant: a layer pruned at a rate, in one iteration of one campaign.</summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.VariantKey")]
public sealed record VariantKey(
    [property: Id(0)] string Campaign,
    [property: Id(1)] int Iteration,
    [property: Id(2)] int Layer,
    [property: Id(3)] double Rate)
{
    /// <summary>The aggregator's grain key, "{campaign}/{iteration}".</summary>
    public string IterationKey => IterationKeyOf(Campaign, Iteration);

    /// <summary>The variant grain's key, "{campaign}/{iteration}/{layer}/{rate}" (rate in invariant round-trip form).</summary>
    public string GrainKey => $"{IterationKey}/{Layer}/{Rate.ToString("R", CultureInfo.InvariantCulture)}";

    public static string IterationKeyOf(string campaign, int iteration) => $"{campaign}/{iteration}";
}
