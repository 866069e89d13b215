namespace PruneCluster.Engine.Pruning;

/// <summary>
/// What a pruning did, as plain data: for each pruned conv layer (ascending), its channel count before and the filter
/// indices kept. It can be stored, sent to another machine and replayed on the same checkpoint with
/// <see cref="Pruner.Apply"/>, giving the identical pruned model.
/// </summary>
public sealed record PruningPlan(IReadOnlyList<PruningPlan.Step> Steps)
{
    public sealed record Step(int Layer, long ChannelsBefore, IReadOnlyList<long> Kept)
    {
        public long Removed => ChannelsBefore - Kept.Count;
    }

    public static PruningPlan Empty { get; } = new([]);

    public PruningPlan Then(PruningPlan next) => new([.. Steps, .. next.Steps]);
}
