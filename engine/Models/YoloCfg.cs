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

        var anchors = CfgValue.ToList(Need("anchors"), "anchors")
            .Select((row, i) => (IReadOnlyList<double>)CfgValue.ToList(row, $"anchors[{i}]").Select(a => CfgValue.ToDouble(a, "anchor")).ToList())
            .ToList();
        var rows = CfgValue.ToList(Need("backbone"), "backbone").Concat(CfgValue.ToList(Need("head"), "head")).ToList();
        var layers = new List<LayerSpec>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = CfgValue.ToList(rows[i], $"layer {i}");
            if (row.Count != 4)
                throw new ModelConfigException($"{source}: layer {i} must be [from, number, module, args], got {CfgValue.Describe(row)}");
            var fromIsList = row[0] is not (long or int);
            var from = fromIsList
                ? CfgValue.ToList(row[0], $"layer {i} from").Select(f => (int)CfgValue.ToLong(f, $"layer {i} from")).ToList()
                : [(int)CfgValue.ToLong(row[0], $"layer {i} from")];
            var module = row[2] as string ?? throw new ModelConfigException($"{source}: layer {i} module must be a name");
            layers.Add(new LayerSpec(i, from, fromIsList, (int)CfgValue.ToLong(row[1], $"layer {i} number"), module, CfgValue.ToList(row[3], $"layer {i} args")));
        }
        return new YoloCfg
        {
            Source = source,
            Nc = (int)CfgValue.ToLong(Need("nc"), "nc"),
            DepthMultiple = CfgValue.ToDouble(Need("depth_multiple"), "depth_multiple"),
            WidthMultiple = CfgValue.ToDouble(Need("width_multiple"), "width_multiple"),
            Anchors = anchors,
            Layers = layers,
            InputChannels = d.TryGetValue("ch", out var ch) && ch != null ? (int)CfgValue.ToLong(ch, "ch") : 3,
            Raw = d,
        };
    }

    /// <summary>The same architecture with another class count (a user's dataset).</summary>
    public YoloCfg WithNc(int nc)
    {
        var raw = new Dictionary<string, object?>(Raw) { ["nc"] = (long)nc };
        return FromDictionary(raw, Source);
    }
}
