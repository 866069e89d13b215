using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PruneCluster.Engine.Data;

/// <summary>
/// A YOLOv7 data yaml (<c>data/coco.yaml</c> style): <c>train</c>/<c>val</c>/<c>test</c> each a folder, a .txt list
/// of image paths, or a list of those; <c>nc</c>; <c>names</c> (a list, or a map from class index to name).
/// <para>
/// Relative paths: a path that exists relative to the yaml's own folder wins; otherwise one that exists relative to
/// the working folder (what YOLOv7 itself does, since it is run from its repo root with paths like
/// <c>../coco/val2017.txt</c>). When neither exists the yaml-relative path is kept, so the error raised when the
/// split is loaded names the place the yaml most likely meant.
/// </para>
/// </summary>
public sealed class DataYaml
{
    private static readonly string[] SplitNames = ["train", "val", "test"];

    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _splits;

    private DataYaml(string yamlPath, int classCount, IReadOnlyList<string> names,
        IReadOnlyDictionary<string, IReadOnlyList<string>> splits)
    {
        YamlPath = yamlPath;
        ClassCount = classCount;
        Names = names;
        _splits = splits;
    }

    /// <summary>Absolute path of the yaml file.</summary>
    public string YamlPath { get; }

    /// <summary><c>nc</c>.</summary>
    public int ClassCount { get; }

    /// <summary><c>names</c>, index = class id.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Whether the yaml has an entry for <paramref name="split"/> (train, val or test).</summary>
    public bool HasSplit(string split) => _splits.ContainsKey(split);

    /// <summary>The resolved absolute sources (folders or .txt lists) of a split.</summary>
    public IReadOnlyList<string> Split(string split)
    {
        if (!SplitNames.Contains(split))
            throw new DatasetException($"unknown split '{split}' for {YamlPath}; use train, val or test");
        return _splits.TryGetValue(split, out var sources)
            ? sources
            : throw new DatasetException($"{YamlPath} has no '{split}:' entry; add one naming an image folder or a .txt image list");
    }

    /// <summary>Reads and checks a data yaml; throws <see cref="DatasetException"/> with a one-line message when it is unusable.</summary>
    public static DataYaml Load(string path)
    {
        var yamlPath = Path.GetFullPath(path);
        if (!File.Exists(yamlPath))
            throw new DatasetException($"data yaml {yamlPath} does not exist; pass the path of a YOLOv7 data yaml");
        var root = ReadRoot(yamlPath);
        var folder = Path.GetDirectoryName(yamlPath)!;

        var classCount = ReadClassCount(root, yamlPath);
        var names = ReadNames(root, yamlPath);
        if (names.Count != classCount)
            throw new DatasetException(
                $"{yamlPath}: nc is {classCount} but names lists {names.Count} classes; make nc equal the number of names");

        var splits = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var split in SplitNames)
        {
            if (Child(root, split) is not { } node || IsNull(node))
                continue;
            splits[split] = ReadPaths(node, split, yamlPath).Select(p => Resolve(p, folder)).ToList();
        }
        return new DataYaml(yamlPath, classCount, names, splits);
    }

    private static YamlMappingNode ReadRoot(string yamlPath)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(yamlPath);
            stream.Load(reader);
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            // YamlDotNet reports some syntax errors (e.g. an unclosed flow sequence) as InvalidOperationException.
            throw new DatasetException($"{yamlPath}: not valid YAML ({OneLine(e.Message)}); fix the syntax", e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new DatasetException($"{yamlPath}: expected a mapping with train/val/test, nc and names; see YOLOv7's data/coco.yaml");
        return root;
    }

    private static int ReadClassCount(YamlMappingNode root, string yamlPath)
    {
        if (Child(root, "nc") is not YamlScalarNode { Value: { } text } ||
            !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var nc) || nc <= 0)
            throw new DatasetException($"{yamlPath}: 'nc:' must be a positive whole number of classes; add or fix it");
        return nc;
    }

    private static List<string> ReadNames(YamlMappingNode root, string yamlPath)
    {
        switch (Child(root, "names"))
        {
            case YamlSequenceNode list:
                return list.Children.Select(n => (n as YamlScalarNode)?.Value ?? "").ToList();
            case YamlMappingNode map:
                // Newer yamls write names as {0: person, 1: bicycle, ...}; the keys must be 0..n-1.
                var byIndex = new SortedDictionary<int, string>();
                foreach (var (key, value) in map.Children)
                {
                    if (key is not YamlScalarNode { Value: { } k } || !int.TryParse(k, CultureInfo.InvariantCulture, out var index))
                        throw new DatasetException($"{yamlPath}: names keys must be class indices 0, 1, ...; fix key '{key}'");
                    byIndex[index] = (value as YamlScalarNode)?.Value ?? "";
                }
                if (byIndex.Keys.Select((k, i) => k != i).Any(gap => gap))
                    throw new DatasetException($"{yamlPath}: names keys must be exactly 0..{byIndex.Count - 1}; fill the gaps");
                return byIndex.Values.ToList();
            default:
                throw new DatasetException($"{yamlPath}: 'names:' must list the class names; add it");
        }
    }

    private static IEnumerable<string> ReadPaths(YamlNode node, string split, string yamlPath) => node switch
    {
        YamlScalarNode { Value: { Length: > 0 } value } => [value],
        YamlSequenceNode list when list.Children.All(c => c is YamlScalarNode { Value.Length: > 0 }) =>
            list.Children.Select(c => ((YamlScalarNode)c).Value!),
        _ => throw new DatasetException(
            $"{yamlPath}: '{split}:' must be a folder, a .txt image list or a list of those; fix the entry"),
    };

    private static string Resolve(string path, string yamlFolder)
    {
        if (Path.IsPathRooted(path))
            return Path.GetFullPath(path);
        var besideYaml = Path.GetFullPath(path, yamlFolder);
        if (Path.Exists(besideYaml))
            return besideYaml;
        var fromWorkingFolder = Path.GetFullPath(path);
        return Path.Exists(fromWorkingFolder) ? fromWorkingFolder : besideYaml;
    }

    private static YamlNode? Child(YamlMappingNode root, string key) =>
        root.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Value: null or "" or "~" or "null" } scalar && scalar.Style == ScalarStyle.Plain;

    private static string OneLine(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.TrimEntries));
}
