using System.Collections.Immutable;

namespace PruneCluster.Grains.Contracts;

/// <summary>
/// An iteration's ranked layer table, highest score first: partial (<see cref="Done"/> of <see cref="Total"/>
/// variants) while results arrive; <see cref="Selected"/> once the selection ran.
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.CampaignTable")]
public sealed record CampaignTable(
    [property: Id(0)] int Iteration,
    [property: Id(1)] int Done,
    [property: Id(2)] int Total,
    [property: Id(3)] bool Selected,
    [property: Id(4)] ImmutableArray<LayerTableRow> Rows)
{
    public bool Complete => Total > 0 && Done == Total;
}
