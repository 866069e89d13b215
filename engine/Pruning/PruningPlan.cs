namespace PruneCluster.Engine.Pruning;

/// <summary>
/// What a pruning did, as plain data: for each pruned conv layer (ascending), its channel count before and the filter
/// indices kept, and the requested layers left alone with the reason. It can be stored, sent to another machine and
/// replayed on the same checkpoint with <see cref="Pruner.Apply"/>, giving the identical pruned model.
/// </summary>
public sealed record PruningPlan(IReadOnlyList<PruningPlan.Step> Steps, IReadOnlyList<PruningPlan.SkippedLayer> Skipped)
{
    public PruningPlan(IReadOnlyList<Step> steps) : this(steps, [])
    {
    }

    public sealed record Step(int Layer, long ChannelsBefore, IReadOnlyList<long> Kept)
    {
        public long Removed => ChannelsBefore - Kept.Count;
    }

    /// <summary>A requested (layer, rate) that was not carried out: the rate removes every filter, or none.</summary>
    public sealed record SkippedLayer(int Layer, double Rate, long Channels, string Reason);

    public static PruningPlan Empty { get; } = new([]);

    public PruningPlan Then(PruningPlan next) => new([.. Steps, .. next.Steps], [.. Skipped, .. next.Skipped]);
}
