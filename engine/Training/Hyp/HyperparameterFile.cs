using System.Globalization;
using PruneCluster.Engine.Models;

namespace PruneCluster.Engine.Training.Hyp;

/// <summary>
/// Reads YOLOv7 hyp yaml files: the built-in ones by name (<c>scratch.tiny</c>, <c>scratch.p5</c>, <c>scratch.p6</c>,
/// <c>scratch.custom</c>, with or without <c>hyp.</c> and <c>.yaml</c>) or any file by path. A file must give every
/// key YOLOv7 reads (only <c>label_smoothing</c> and <c>anchors</c> may be left out) and nothing else.
/// </summary>
public static class HyperparameterFile
{
    private const string ResourcePrefix = "hyp/hyp.";

    public static IReadOnlyList<string> BuiltInNames =>
        typeof(HyperparameterFile).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..^".yaml".Length])
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>A built-in set by name, or a yaml file by path (an existing file wins over a built-in name).</summary>
    public static Hyperparameters Load(string nameOrPath)
    {
        if (File.Exists(nameOrPath))
            return Parse(File.ReadAllText(nameOrPath), nameOrPath);
        var bare = Path.GetFileName(nameOrPath);
        bare = bare.EndsWith(".yaml", StringComparison.Ordinal) ? bare[..^".yaml".Length] : bare;
        bare = bare.StartsWith("hyp.", StringComparison.Ordinal) ? bare["hyp.".Length..] : bare;
        var key = $"{ResourcePrefix}{bare}.yaml";
        using var stream = nameOrPath.Contains('/') ? null : typeof(HyperparameterFile).Assembly.GetManifestResourceStream(key);
        if (stream == null)
            throw new HyperparameterException($"--hyp {nameOrPath}: no such file or built-in set; give a hyp yaml path or one of {string.Join(", ", BuiltInNames)}");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), bare);
    }

    /// <summary>Validates yaml text; <paramref name="source"/> names it in errors.</summary>
    public static Hyperparameters Parse(string yaml, string source)
    {
        Dictionary<string, object?> values;
        try
        {
            values = CfgValue.FromYaml(yaml, source);
        }
        catch (Exception e) when (e is ModelConfigException or ArgumentException)
        {
            throw new HyperparameterException($"{source}: not a YAML mapping of hyperparameters (key: value per line, each key once); fix the file");
        }
        var known = HyperparameterKeys.All.Select(k => k.Name).ToHashSet(StringComparer.Ordinal);
        if (values.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
            throw new HyperparameterException($"{source}: unknown key '{unknown}'; a YOLOv7 hyp file has {string.Join(", ", known)}");
        var result = new Hyperparameters();
        foreach (var key in HyperparameterKeys.All)
            result = key.Set(result, Read(values, key, source));
        return result;
    }

    private static double Read(Dictionary<string, object?> values, HyperparameterKey key, string source)
    {
        if (!values.TryGetValue(key.Name, out var raw))
            return key.Default ?? throw new HyperparameterException($"{source}: missing key '{key.Name}' ({key.Expected}); add it (see the built-in {string.Join(", ", BuiltInNames)})");
        double? number = raw switch
        {
            long l => l,
            double d => d,
            bool b when key.Integer && key.Min == 0 && key.Max == 1 => b ? 1 : 0,
            _ => null,
        };
        if (number == null)
            throw new HyperparameterException($"{source}: '{key.Name}' must be {key.Expected}, got '{CfgValue.Describe(raw)}' (wrong type)");
        if (!key.Accepts(number.Value))
            throw new HyperparameterException($"{source}: '{key.Name}' = {number.Value.ToString("R", CultureInfo.InvariantCulture)} is out of range; it must be {key.Expected}");
        return number.Value;
    }
}
