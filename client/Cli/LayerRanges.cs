using System.Globalization;
using PruneCluster.Engine.Pruning;

namespace PruneCluster.Client.Cli;

/// <summary><c>--layers 0-54</c> or <c>3,8,20-25</c>: prunable layer indices.</summary>
public static class LayerRanges
{
    public static IReadOnlyList<int> Parse(string text, int prunableLayers)
    {
        var layers = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length > 2 || !bounds.All(b => int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                throw new PruningException($"--layers '{text}': '{part}' is not a layer or a range like 20-25");
            var from = int.Parse(bounds[0], CultureInfo.InvariantCulture);
            var to = int.Parse(bounds[^1], CultureInfo.InvariantCulture);
            if (from > to || to >= prunableLayers)
                throw new PruningException($"--layers '{text}': '{part}' is outside 0..{prunableLayers - 1}, this model's prunable layers");
            for (var l = from; l <= to; l++)
                layers.Add(l);
        }
        return layers.ToList();
    }
}
