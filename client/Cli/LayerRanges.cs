using System.Globalization;
using PruneCluster.Engine.Pruning;

namespace PruneCluster.Client.Cli;

/// <summary><c>--layers 0-54</c> or <c>3,8,20-25</c>: prunable layer indices.</summary>
public static class LayerRanges
{
    private const int MaxLayer = 10_000;

    /// <summary>Parses the syntax (before any model is loaded); <see cref="CheckRange"/> checks against the model.</summary>
    public static IReadOnlyList<int> Parse(string text)
    {
        var layers = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length > 2 || !bounds.All(b => int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                throw new PruningException($"--layers '{text}': '{part}' is not a layer or a range like 20-25");
            var from = int.Parse(bounds[0], CultureInfo.InvariantCulture);
            var to = int.Parse(bounds[^1], CultureInfo.InvariantCulture);
            // Far above any model's layer count (yolov7-e6e has ~260): a typo must not expand billions of layers.
            if (to >= MaxLayer)
                throw new PruningException($"--layers '{text}': '{part}' goes beyond layer {MaxLayer - 1}; YOLOv7 models have at most a few hundred prunable layers");
            if (from > to)
                throw new PruningException($"--layers '{text}': '{part}' is a reversed range; write it low to high, {to}-{from}");
            for (var l = from; l <= to; l++)
                layers.Add(l);
        }
        if (layers.Count == 0)
            throw new PruningException($"--layers '{text}': no layers given; use e.g. 0-54 or 3,8,20-25");
        return layers.ToList();
    }

    /// <summary>Rejects layers the model does not have.</summary>
    public static void CheckRange(IReadOnlyList<int> layers, int prunableLayers, string text)
    {
        var beyond = layers.Where(l => l >= prunableLayers).ToList();
        if (beyond.Count > 0)
            throw new PruningException($"--layers '{text}': layer {beyond[0]} does not exist; this model has prunable layers 0..{prunableLayers - 1}");
    }
}
