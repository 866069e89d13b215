using System.Globalization;

namespace PruneCluster.Benchmarks;

/// <summary>The harness's few options: a command followed by --name value pairs.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string> values = [];

    public string Command { get; private init; } = "";

    public static Arguments Parse(string[] args)
    {
        var parsed = new Arguments { Command = args.FirstOrDefault() ?? "" };
        for (var i = 1; i + 1 < args.Length; i += 2)
            parsed.values[args[i]] = args[i + 1];
        return parsed;
    }

    public string Required(string name) =>
        values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"{name} is required");

    public string? Optional(string name) => values.TryGetValue(name, out var v) ? v : null;

    public int Int(string name, int fallback) =>
        values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public IReadOnlyList<double> Doubles(string name, IReadOnlyList<double> fallback) =>
        values.TryGetValue(name, out var v) ? v.Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToList() : fallback;
}
