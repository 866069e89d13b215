using System.Globalization;
using System.Text.RegularExpressions;

namespace PruneCluster.Engine.Pruning;

/// <summary>
/// The <c>--pruning-params</c> value: a Python-style list <c>"[(8, 0.5), (18, 0.5)]"</c> (tuples or lists), or a single
/// rate applied to every prunable layer (which the paper's code advertises but crashes on).
/// </summary>
public static partial class PruningParams
{
    public static IReadOnlyList<LayerRate> Parse(string text, int prunableLayers)
    {
        var trimmed = text.Trim();
        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var single))
        {
            CheckRate(single, trimmed);
            return Enumerable.Range(0, prunableLayers).Select(i => new LayerRate(i, single)).ToList();
        }
        if (!ListPattern().IsMatch(trimmed))
            throw new PruningException($"--pruning-params '{text}': expected a rate like 0.5 or a list like \"[(8, 0.5), (18, 0.75)]\"");
        var pairs = PairPattern().Matches(trimmed);
        var result = new List<LayerRate>();
        foreach (Match pair in pairs)
        {
            var layer = int.Parse(pair.Groups[1].Value, CultureInfo.InvariantCulture);
            var rate = double.Parse(pair.Groups[2].Value, CultureInfo.InvariantCulture);
            if (layer < 0 || layer >= prunableLayers)
                throw new PruningException($"--pruning-params: layer {layer} does not exist; this model has prunable layers 0..{prunableLayers - 1}");
            CheckRate(rate, pair.Value);
            if (result.Any(r => r.Layer == layer))
                throw new PruningException($"--pruning-params: layer {layer} is listed twice; give each layer once (the paper's code silently compounds repeats)");
            result.Add(new LayerRate(layer, rate));
        }
        return result.OrderBy(r => r.Layer).ToList();
    }

    public static string Format(IEnumerable<LayerRate> rates) => "[" + string.Join(", ", rates) + "]";

    private static void CheckRate(double rate, string where)
    {
        if (!(rate > 0 && rate < 1))
            throw new PruningException($"--pruning-params '{where}': a pruning rate must lie strictly between 0 and 1");
    }

    // A whole list of (int, float) pairs, each in () or [], comma separated; nothing else.
    [GeneratedRegex(@"^\[\s*(?:[\(\[]\s*\d+\s*,\s*[-+0-9.eE]+\s*[\)\]]\s*(?:,\s*[\(\[]\s*\d+\s*,\s*[-+0-9.eE]+\s*[\)\]]\s*)*,?\s*)?\]$")]
    private static partial Regex ListPattern();

    [GeneratedRegex(@"[\(\[]\s*(\d+)\s*,\s*([-+0-9.eE]+)\s*[\)\]]")]
    private static partial Regex PairPattern();
}
