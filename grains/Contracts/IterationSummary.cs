using System.Collections.Immutable;

namespace PruneCluster.Grains.Contracts;

/// <summary>
/// One campaign iteration as far as it got: its input model, the selected layers (once <see cref="Selected"/>), the
/// pruned and fine-tuned models, and the wall time of each phase (null until the phase finished).
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.IterationSummary")]
public sealed record IterationSummary(
    [property: Id(0)] int Number,
    [property: Id(1)] ModelSummary Input,
    [property: Id(2)] bool Selected,
    [property: Id(3)] ImmutableArray<PrunedLayer> Selection,
    [property: Id(4)] ModelSummary? Pruned,
    [property: Id(5)] ModelSummary? FineTuned,
    [property: Id(6)] double? SensitivitySeconds,
    [property: Id(7)] double? PruneSeconds,
    [property: Id(8)] double? FineTuneSeconds);
