using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Sensitivity;

namespace PruneCluster.Engine.Campaign;

/// <summary>
/// Target-mode layer selection: the (layer, rate) pairs, at most one rate per layer, whose single-layer GFLOPs
/// reductions add up to at least the target with the smallest sum of single-layer mAP@.5:.95 losses. The sums are
/// predictions (pruning two neighbours saves a little more than the two alone, and losses are not exactly
/// additive); the campaign measures the pruned model afterwards.
/// </summary>
/// <remarks>
/// This is a multiple-choice knapsack, solved exactly by dynamic programming over the reduction in
/// <see cref="Bins"/> steps of the target. Each pair's reduction is rounded down to a step, so a list the program
/// accepts removes at least the target. Equal losses prefer fewer layers, then the lower layer indices.
/// </remarks>
public static class TargetSelector
{
    /// <summary>Resolution of the reduction: the target is split into this many steps.</summary>
    public const int Bins = 1000;

    public static TargetSelection Select(SensitivityTable table, double inputGflops, double inputMap, double gflopsStep)
    {
        if (!(gflopsStep > 0 && gflopsStep < 1))
            throw new ArgumentOutOfRangeException(nameof(gflopsStep), gflopsStep, "the GFLOPs step must be between 0 and 1");
        var target = gflopsStep * inputGflops;
        var unit = target / Bins;
        var options = Enumerable.Range(0, table.LayerCount)
            .Select(layer => Enumerable.Range(0, table.Rates.Count)
                .Select(column => table[layer, column])
                .Where(r => inputGflops - r.Gflops > 0)
                .Select(r => new Option(r.Rate, Math.Min(Bins, (int)Math.Floor((inputGflops - r.Gflops) / unit)),
                    inputGflops - r.Gflops, Math.Max(0, inputMap - r.Map)))
                .ToArray())
            .ToArray();

        // cost[b]: best (loss, layer count) reaching b steps (capped at Bins) with the layers seen so far.
        var cost = new (double Loss, int Count)[Bins + 1];
        Array.Fill(cost, (double.PositiveInfinity, 0));
        cost[0] = (0, 0);
        var choice = new int[options.Length, Bins + 1];
        var from = new int[options.Length, Bins + 1];
        for (var layer = 0; layer < options.Length; layer++)
        {
            var next = ((double Loss, int Count)[])cost.Clone();
            for (var b = 0; b <= Bins; b++)
            {
                choice[layer, b] = -1;
                from[layer, b] = b;
            }
            for (var b = 0; b <= Bins; b++)
            {
                if (double.IsPositiveInfinity(cost[b].Loss))
                    continue;
                for (var o = 0; o < options[layer].Length; o++)
                {
                    var option = options[layer][o];
                    var reached = Math.Min(Bins, b + option.Steps);
                    var candidate = (cost[b].Loss + option.Loss, cost[b].Count + 1);
                    // Strictly better only: on a tie the earlier state (no pick, or a lower layer's) stays.
                    if (Better(candidate, next[reached]))
                    {
                        next[reached] = candidate;
                        choice[layer, reached] = o;
                        from[layer, reached] = b;
                    }
                }
            }
            cost = next;
        }

        var end = Bins;
        while (end > 0 && double.IsPositiveInfinity(cost[end].Loss))
            end--;
        var picks = new List<LayerRate>();
        double removed = 0, loss = 0;
        for (int layer = options.Length - 1, b = end; layer >= 0; layer--)
        {
            var o = choice[layer, b];
            if (o < 0)
                continue;
            var option = options[layer][o];
            picks.Add(new LayerRate(layer, option.Rate));
            removed += option.Gflops;
            loss += option.Loss;
            b = from[layer, b];
        }
        picks.Reverse();
        return new TargetSelection(picks, target, removed, loss, end == Bins);
    }

    private static bool Better((double Loss, int Count) a, (double Loss, int Count) b) =>
        a.Loss < b.Loss || a.Loss == b.Loss && a.Count < b.Count;

    private sealed record Option(double Rate, int Steps, double Gflops, double Loss);
}
