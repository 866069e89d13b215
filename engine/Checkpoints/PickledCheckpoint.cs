using System.Collections;
using Razorvine.Pickle.Objects;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// Where the weights sit in an unpickled checkpoint and what else it carries, before any tensor is materialised.
/// Recognises YOLOv7 training checkpoints (<c>ckpt['ema' if ckpt.get('ema') else 'model']</c>), a pickled module,
/// a bare state_dict, a dict holding one under <c>state_dict</c> or <c>model</c>, and this tool's own format.
/// </summary>
internal sealed record PickledCheckpoint(
    CheckpointFormat Format,
    string? ModelKey,
    IReadOnlyList<KeyValuePair<string, object>> Entries,
    IReadOnlyDictionary<string, object?>? ModelYaml,
    object? PruningCfg,
    IReadOnlyList<string>? ClassNames,
    IReadOnlyDictionary<string, object?> Metadata,
    string? ModelClass = null)
{
    public const string FormatKey = "format";
    public const string StateDictKey = "state_dict";
    public const string FormatTag = "prunecluster/1";
    public const string ModelYamlKey = "model_yaml";
    public const string PruningCfgKey = "pruning_cfg";
    public const string NamesKey = "names";

    private const string Fix = "pass a YOLOv7 checkpoint ({'model': Model, ...}), a state_dict saved with torch.save, or a file written by this tool";

    /// <param name="scalars">Reads a 0-d float64 tensor's value (how the state-dict format stores floats).</param>
    public static PickledCheckpoint Interpret(string path, object? root, Func<TensorRef, double>? scalars = null)
    {
        if (PickledModuleTree.IsModule(root))
            return FromModule(path, (ClassDict)root!, null, new Dictionary<string, object?>(), scalars);
        if (root is not Hashtable top)
            throw new CheckpointException(path, $"the pickle holds {Describe(root)}, not a model or state_dict", Fix);
        if (top[FormatKey] is string format && format.StartsWith("prunecluster/", StringComparison.Ordinal))
            return FromOwnFormat(path, top, format, scalars);
        if (IsTensorDict(top))
            return FromStateDict(top, null, new Dictionary<string, object?>());
        var modelKey = PickledModuleTree.IsModule(top["ema"]) ? "ema" : PickledModuleTree.IsModule(top["model"]) ? "model" : null;
        if (modelKey != null)
            return FromModule(path, (ClassDict)top[modelKey]!, modelKey, PlainMetadata(top, scalars, "model", "ema"), scalars);
        foreach (var key in new[] { StateDictKey, "model" })
        {
            if (top[key] is Hashtable inner && IsTensorDict(inner))
                return FromStateDict(inner, key, PlainMetadata(top, scalars, key));
        }
        var keys = string.Join(", ", PickledOrderedDict.EntriesOf(top).Select(e => e.Key).Take(12));
        throw new CheckpointException(path, $"the pickle holds a dict with keys [{keys}] but no model, ema or state_dict", Fix);
    }

    private static PickledCheckpoint FromModule(string path, ClassDict model, string? modelKey, IReadOnlyDictionary<string, object?> metadata,
        Func<TensorRef, double>? scalars) =>
        new(CheckpointFormat.PickledModel, modelKey, PickledModuleTree.StateDict(model, path),
            PlainDict(PickledModuleTree.Attribute(model, "yaml"), scalars),
            Plain(PickledModuleTree.Attribute(model, PruningCfgKey), scalars),
            Strings(Plain(PickledModuleTree.Attribute(model, NamesKey), scalars)),
            metadata, model.ClassName);

    private static PickledCheckpoint FromStateDict(Hashtable stateDict, string? modelKey, IReadOnlyDictionary<string, object?> metadata) =>
        new(CheckpointFormat.StateDict, modelKey, TensorEntries(stateDict), null, null, null, metadata);

    private static PickledCheckpoint FromOwnFormat(string path, Hashtable top, string format, Func<TensorRef, double>? scalars)
    {
        if (format != FormatTag)
            throw new CheckpointException(path, $"written by a newer version of this tool (format '{format}', this build reads '{FormatTag}')",
                "update this tool");
        if (top[StateDictKey] is not Hashtable stateDict || !(stateDict.Count == 0 || IsTensorDict(stateDict)))
            throw new CheckpointException(path, $"'{StateDictKey}' is missing or holds something other than tensors",
                "the file is corrupt; write it again");
        var metadata = PlainMetadata(top, scalars, FormatKey, StateDictKey);
        return new(CheckpointFormat.PruneCluster, StateDictKey, TensorEntries(stateDict),
            metadata.GetValueOrDefault(ModelYamlKey) as IReadOnlyDictionary<string, object?>,
            metadata.GetValueOrDefault(PruningCfgKey),
            Strings(metadata.GetValueOrDefault(NamesKey)),
            metadata);
    }

    private static bool IsTensorDict(Hashtable dict) =>
        dict.Count > 0 && dict.Values.Cast<object?>().All(v => v is TensorRef) && dict.Keys.Cast<object>().All(k => k is string);

    private static List<KeyValuePair<string, object>> TensorEntries(Hashtable dict) =>
        PickledOrderedDict.EntriesOf(dict).Select(e => new KeyValuePair<string, object>((string)e.Key, e.Value!)).ToList();

    /// <summary>Top-level entries that are plain values; tensors, modules and optimizer states are left out.</summary>
    private static Dictionary<string, object?> PlainMetadata(Hashtable top, Func<TensorRef, double>? scalars, params string[] excluded)
    {
        var metadata = new Dictionary<string, object?>();
        foreach (var (key, value) in PickledOrderedDict.EntriesOf(top))
        {
            if (key is string name && !excluded.Contains(name) && PlainValues.TryConvert(value, scalars, out var plain))
                metadata[name] = plain;
        }
        return metadata;
    }

    private static object? Plain(object? value, Func<TensorRef, double>? scalars) => PlainValues.TryConvert(value, scalars, out var plain) ? plain : null;

    private static IReadOnlyDictionary<string, object?>? PlainDict(object? value, Func<TensorRef, double>? scalars) =>
        value is Hashtable dict && PlainValues.TryConvertDict(dict, scalars, out var plain) ? (Dictionary<string, object?>)plain! : null;

    private static IReadOnlyList<string>? Strings(object? value) =>
        value is List<object?> list && list.All(item => item is string) ? list.Cast<string>().ToList() : null;

    private static string Describe(object? value) => value switch
    {
        null => "None",
        ClassDict instance => $"an instance of {instance.ClassName}",
        TensorRef tensor => $"a single tensor {tensor.ShapeText}",
        ArrayList or object[] => "a list",
        string => "a string",
        _ => $"a {value.GetType().Name}",
    };
}
