using System.Reflection;

namespace PruneCluster.Engine.Models;

/// <summary>
/// A YOLOv7-style model description (the cfg yaml, or the <c>model.yaml</c> dict of a checkpoint): classes, multiples,
/// anchors and the layer list. <see cref="Raw"/> keeps the original dict so it can be written back into checkpoints.
/// </summary>
public sealed class YoloCfg
{
    public required string Source { get; init; }
    public required int Nc { get; init; }
    public required double DepthMultiple { get; init; }
    public required double WidthMultiple { get; init; }
    public required IReadOnlyList<IReadOnlyList<double>> Anchors { get; init; }
    public required IReadOnlyList<LayerSpec> Layers { get; init; }
    public int InputChannels { get; init; } = 3;
    public required IReadOnlyDictionary<string, object?> Raw { get; init; }

    public int AnchorsPerLevel => Anchors[0].Count / 2;

    /// <summary>
    /// <paramref name="rows"/> plus every row they are computed from, directly or not (row 0 reads the image). Rows
    /// read only from earlier rows, so one backward sweep closes the set. <paramref name="rows"/> is extended in place.
    /// </summary>
    public bool[] WithInputs(bool[] rows)
    {
        for (var r = rows.Length - 1; r > 0; r--)
            if (rows[r])
                foreach (var f in Layers[r].ResolvedFrom)
                    rows[f] = true;
        return rows;
    }

    public static YoloCfg FromFile(string path)
    {
        if (!File.Exists(path))
            throw new ModelConfigException($"{path}: cfg file not found; pass an existing yaml or a built-in name ({string.Join(", ", BuiltInNames)})");
        return FromDictionary(CfgValue.FromYaml(File.ReadAllText(path), path), path);
    }

    /// <summary>A built-in cfg by name (<c>yolov7</c>, <c>yolov7-tiny</c>, <c>deploy/yolov7</c> …) or a yaml path.</summary>
    public static YoloCfg Resolve(string nameOrPath)
    {
        var key = nameOrPath.EndsWith(".yaml", StringComparison.Ordinal) && File.Exists(nameOrPath) ? null : BuiltInKey(nameOrPath);
        if (key == null)
            return FromFile(nameOrPath);
        using var stream = typeof(YoloCfg).Assembly.GetManifestResourceStream(key)!;
        using var reader = new StreamReader(stream);
        return FromDictionary(CfgValue.FromYaml(reader.ReadToEnd(), nameOrPath), nameOrPath);
    }

    public static IReadOnlyList<string> BuiltInNames =>
        typeof(YoloCfg).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("cfg/", StringComparison.Ordinal))
            .Select(n => n["cfg/".Length..^".yaml".Length].Replace("training/", ""))
            .Order(StringComparer.Ordinal).ToList();

    private static string? BuiltInKey(string name)
    {
        var bare = Path.GetFileNameWithoutExtension(name);
        var folder = name.Contains("deploy", StringComparison.Ordinal) ? "deploy" : "training";
        var key = $"cfg/{folder}/{bare}.yaml";
        return typeof(YoloCfg).Assembly.GetManifestResourceInfo(key) != null ? key : null;
    }

    public static YoloCfg FromDictionary(IReadOnlyDictionary<string, object?> d, string source)
    {
        object? Need(string key) => d.TryGetValue(key, out var v) && v != null
            ? v
            : throw new ModelConfigException($"{source}: cfg has no '{key}'; a YOLOv7 cfg needs nc, depth_multiple, width_multiple, anchors, backbone and head");
        IReadOnlyList<object?> List(object? value, string what) => value is IReadOnlyList<object?> list
            ? list
            : throw new ModelConfigException($"{source}: {what} must be a list, got '{CfgValue.Describe(value)}'; fix the cfg");

        var anchors = ReadAnchors(List(Need("anchors"), "anchors"), source);
        var rows = List(Need("backbone"), "backbone").Concat(List(Need("head"), "head")).ToList();
        if (rows.Count < 2)
            throw new ModelConfigException($"{source}: the cfg has {rows.Count} layers; a model needs at least one layer and a detection head");
        var layers = new List<LayerSpec>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var where = $"{source}: layer {i}";
            var row = List(rows[i], $"layer {i}");
            if (row.Count != 4)
                throw new ModelConfigException($"{where} must be [from, number, module, args], got {CfgValue.Describe(row)}; fix the cfg");
            var fromIsList = row[0] is not (long or int);
            var from = (fromIsList ? List(row[0], $"layer {i} from") : [row[0]])
                .Select(f => (int)CfgLimits.Integer(f, -i - 1, i - 1, where, "a 'from' index"))
                .ToList();
            if (from.Count == 0)
                throw new ModelConfigException($"{where}: 'from' is empty; fix the cfg");
            var module = row[2] as string ?? throw new ModelConfigException($"{where}: the module must be a name, got '{CfgValue.Describe(row[2])}'; fix the cfg");
            var number = (int)CfgLimits.Integer(row[1], 1, 1, where, "number (repeats; YOLOv7 cfgs use 1)");
            var spec = new LayerSpec(i, from, fromIsList, number, module, List(row[3], $"layer {i} args"));
            // Every input must be an earlier row (or, for row 0 only, the image).
            foreach (var f in spec.ResolvedFrom)
                if (f < 0 && i > 0 || f >= i)
                    throw new ModelConfigException($"{where}: 'from' {CfgValue.Describe(row[0])} names layer {f}, but a layer reads only earlier layers (0..{i - 1}); fix the cfg");
            layers.Add(spec);
        }
        return new YoloCfg
        {
            Source = source,
            Nc = (int)CfgLimits.Integer(Need("nc"), 1, CfgLimits.MaxClasses, source, "nc"),
            DepthMultiple = CfgLimits.Positive(Need("depth_multiple"), CfgLimits.MaxMultiple, source, "depth_multiple"),
            WidthMultiple = CfgLimits.Positive(Need("width_multiple"), CfgLimits.MaxMultiple, source, "width_multiple"),
            Anchors = anchors,
            Layers = layers,
            InputChannels = d.TryGetValue("ch", out var ch) && ch != null ? (int)CfgLimits.Integer(ch, 1, CfgLimits.MaxInputChannels, source, "ch") : 3,
            Raw = d,
        };
    }

    // Rows of (w, h) pixel pairs, the same number per level.
    private static List<IReadOnlyList<double>> ReadAnchors(IReadOnlyList<object?> rows, string source)
    {
        if (rows.Count == 0)
            throw new ModelConfigException($"{source}: anchors is empty; give one row of (w, h) pairs per detection level");
        var anchors = rows.Select((row, i) => (IReadOnlyList<double>)(row as IReadOnlyList<object?>
                ?? throw new ModelConfigException($"{source}: anchors[{i}] must be a list of (w, h) pairs, got '{CfgValue.Describe(row)}'; fix the cfg"))
            .Select(a => CfgLimits.Positive(a, CfgLimits.MaxAnchor, source, $"an anchor of level {i}")).ToList()).ToList();
        if (anchors[0].Count < 2 || anchors[0].Count % 2 != 0 || anchors.Any(r => r.Count != anchors[0].Count))
            throw new ModelConfigException($"{source}: every anchors row must hold the same number of (w, h) pairs, got rows of {string.Join(", ", anchors.Select(r => r.Count))} numbers; fix the cfg");
        return anchors;
    }

    /// <summary>The same architecture with another class count (a user's dataset).</summary>
    public YoloCfg WithNc(int nc)
    {
        var raw = new Dictionary<string, object?>(Raw) { ["nc"] = (long)nc };
        return FromDictionary(raw, Source);
    }
}
