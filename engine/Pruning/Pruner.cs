using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Pruning;

/// <summary>
/// Structured filter pruning through the connectivity graph: a layer loses filters, and every consumer loses the
/// matching input channels at the slice the layer fills in its (possibly concatenated) input, including ImplicitA
/// in front of head convs. Layers are pruned in ascending index order, each scored on the weights as they are at
/// that moment (earlier prunings have already trimmed its inputs), exactly like the paper's prune.py.
/// </summary>
public static class Pruner
{
    /// <summary>
    /// Filters removed from a layer with <paramref name="channels"/> filters at <paramref name="rate"/>: ceil(r·C/2)·2,
    /// the paper's count. With <paramref name="roundTo"/> N > 1 the layer then keeps a multiple of N filters, rounded
    /// towards keeping more (accelerators run such shapes faster): fewer are removed, and since every command keeps
    /// the top of one ranking, the extra filters kept are the next-best of the same criterion. A rate that would
    /// remove every filter stays so (the layer is skipped either way).
    /// </summary>
    public static long FiltersToRemove(double rate, long channels, int roundTo = 1)
    {
        if (roundTo < 1)
            throw new PruningException($"--round-to {roundTo}: use a positive filter count such as 8, 16 or 32 (1 = no rounding)");
        var remove = (long)Math.Ceiling(rate * channels / 2) * 2;
        if (roundTo == 1 || remove >= channels)
            return remove;
        var kept = Math.Min(channels, (channels - remove + roundTo - 1) / roundTo * roundTo);
        return channels - kept;
    }

    /// <summary>
    /// Prunes the model in place and returns the replayable plan of what was removed. A rate that would remove every
    /// filter (cutting the network) or none leaves the layer alone, as the paper's code does; the plan lists it.
    /// </summary>
    /// <param name="roundTo">Each pruned layer keeps a multiple of this many filters (see <see cref="FiltersToRemove"/>).</param>
    public static PruningPlan Prune(ConnectivityGraph graph, IReadOnlyList<LayerRate> rates, FilterImportance importance, int roundTo = 1)
    {
        var steps = new List<PruningPlan.Step>();
        var skipped = new List<PruningPlan.SkippedLayer>();
        foreach (var (layer, rate) in rates.OrderBy(r => r.Layer))
        {
            CheckPrunable(graph, layer);
            var group = graph.GroupOf(layer);
            var channels = graph.Layers[layer].Unit.OutChannels;
            if (SkipReason(rate, channels, roundTo) is { } reason)
            {
                skipped.Add(new PruningPlan.SkippedLayer(layer, rate, channels, reason));
                continue;
            }
            var kept = importance.Keep(graph, layer, FiltersToRemove(rate, channels, roundTo));
            using var keep = tensor(kept);
            foreach (var member in group)
            {
                KeepFilters(graph, member, keep);
                steps.Add(new PruningPlan.Step(member, channels, kept));
            }
        }
        return new PruningPlan(steps, skipped);
    }

    /// <summary>Why a layer with <paramref name="channels"/> filters is left alone at <paramref name="rate"/>, or null when it is pruned.</summary>
    public static string? SkipReason(double rate, long channels, int roundTo = 1)
    {
        var remove = FiltersToRemove(rate, channels, roundTo);
        if (remove >= channels)
            return $"removes all {channels} filters (ceil(rate·{channels}/2)·2 = {remove}); use a lower rate";
        if (remove == 0 && roundTo > 1 && FiltersToRemove(rate, channels) > 0)
            return $"removes no filter of {channels} once rounded to keep a multiple of {roundTo}";
        return remove == 0 ? $"removes no filter of {channels}" : null;
    }

    /// <summary>Replays a plan on a model with the plan's original channel counts.</summary>
    public static void Apply(ConnectivityGraph graph, PruningPlan plan)
    {
        foreach (var step in plan.Steps)
        {
            CheckPrunable(graph, step.Layer);
            var channels = graph.Layers[step.Layer].Unit.OutChannels;
            if (channels != step.ChannelsBefore)
                throw new PruningException($"pruning plan: layer {step.Layer} has {channels} filters but the plan was made for {step.ChannelsBefore}; replay it on the checkpoint it was made from");
            using var keep = tensor(step.Kept.ToArray());
            KeepFilters(graph, step.Layer, keep);
        }
    }

    /// <summary>Keeps only <paramref name="keep"/> filters of one layer and trims every consumer's input to match.</summary>
    public static void KeepFilters(ConnectivityGraph graph, int layer, Tensor keep)
    {
        var producer = graph.Layers[layer].Unit;
        var consumerInputs = graph.ConsumersOf(layer)
            .Select(c => c.Consumer).Distinct()
            .Select(c => (Unit: graph.Layers[c].Unit, Keep: ConsumerInputKeep(graph, c, layer, keep)))
            .ToList();
        producer.KeepOutputs(keep);
        foreach (var (unit, inputKeep) in consumerInputs)
        {
            unit.KeepInputs(inputKeep);
            inputKeep.Dispose();
        }
    }

    // The input channels a consumer keeps: all of every slice, except the slices filled by the pruned layer,
    // where only the kept filters remain. Computed before anything changes, from the current slice sizes.
    private static Tensor ConsumerInputKeep(ConnectivityGraph graph, int consumer, int producer, Tensor keep)
    {
        var parts = new List<Tensor>();
        long offset = 0;
        foreach (var source in graph.InputSlices(consumer))
        {
            var size = graph.SliceSize(source);
            if (source == producer)
            {
                // An owned Scalar: `keep + offset` makes a temporary one that the GC may finalize while libtorch
                // reads it (a latency run crashed with "argument alpha must not be a floating point number").
                using var shift = offset.ToScalar();
                parts.Add(keep.add(shift));
            }
            else
                parts.Add(arange(offset, offset + size, dtype: ScalarType.Int64));
            offset += size;
        }
        var all = cat(parts, 0);
        foreach (var p in parts)
            p.Dispose();
        return all;
    }

    private static void CheckPrunable(ConnectivityGraph graph, int layer)
    {
        var prunable = graph.Model.PrunableLayers.Count;
        if (layer < 0 || layer >= prunable)
            throw new PruningException($"layer {layer} cannot be pruned: this model has prunable layers 0..{prunable - 1} (head convs {prunable}.. are consumers only)");
    }
}
