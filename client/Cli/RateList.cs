using System.Globalization;
using PruneCluster.Engine.Pruning;

namespace PruneCluster.Client.Cli;

/// <summary>The paper's <c>--pruning-rate '[0.25, 0.5, 0.75]'</c> (or a single rate).</summary>
public static class RateList
{
    public static IReadOnlyList<double> Parse(string text)
    {
        var body = text.Trim().TrimStart('[').TrimEnd(']');
        var rates = new List<double>();
        foreach (var part in body.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || !(rate > 0 && rate < 1))
                throw new PruningException($"--pruning-rate '{text}': '{part}' is not a rate between 0 and 1; use e.g. \"[0.25, 0.5, 0.75]\"");
            rates.Add(rate);
        }
        if (rates.Count == 0)
            throw new PruningException($"--pruning-rate '{text}': no rates given; use e.g. \"[0.25, 0.5, 0.75]\"");
        return rates.Distinct().ToList();
    }
}
