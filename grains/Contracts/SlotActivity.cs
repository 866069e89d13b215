namespace PruneCluster.Grains.Contracts;

/// <summary>
/// What a busy evaluation slot works on: a sensitivity variant (<see cref="Work"/> "variant", with its layer and rate) or
/// a campaign job (<see cref="Work"/> the <see cref="JobKind"/>), of which campaign and iteration, and for how long
/// (at the time of the report).
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.SlotActivity")]
public sealed record SlotActivity(
    [property: Id(0)] string Work,
    [property: Id(1)] string Campaign,
    [property: Id(2)] int Iteration,
    [property: Id(3)] int? Layer,
    [property: Id(4)] double? Rate,
    [property: Id(5)] TimeSpan Elapsed)
{
    public const string Variant = "variant";
}
