using System.Collections;
using System.Globalization;
using TorchSharp;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// Writes PyTorch zip checkpoints the way torch.save lays them out: records <c>archive/data.pkl</c> (protocol-2
/// pickle), <c>archive/byteorder</c>, <c>archive/data/0..N-1</c> (one storage per tensor, stored uncompressed and
/// 64-byte aligned) and <c>archive/version</c>. Tensors keep their dtype. <see cref="Write"/> is the state-dict
/// format that <c>torch.load(path, weights_only=True)</c> reads; <see cref="WriteObjects"/> pickles whole objects
/// (YOLOv7's <c>{'model': Model, ...}</c>), which plain <c>torch.load</c> reads.
/// </summary>
public static class CheckpointWriter
{
    /// <summary>The <c>format</c> value this writer stores and the reader recognises.</summary>
    public const string FormatTag = PickledCheckpoint.FormatTag;

    /// <summary>Metadata key whose dict the reader returns as <see cref="CheckpointContents.ModelYaml"/>.</summary>
    public const string ModelYamlKey = PickledCheckpoint.ModelYamlKey;

    /// <summary>Metadata key whose value the reader returns as <see cref="CheckpointContents.PruningCfg"/>.</summary>
    public const string PruningCfgKey = PickledCheckpoint.PruningCfgKey;

    /// <summary>Metadata key whose list of strings the reader returns as <see cref="CheckpointContents.ClassNames"/>.</summary>
    public const string ClassNamesKey = PickledCheckpoint.NamesKey;

    private const string Archive = "archive/";

    /// <summary>
    /// <c>{'format': 'prunecluster/1', 'state_dict': OrderedDict(name -&gt; tensor), **metadata}</c>, loadable with
    /// <c>torch.load(path, weights_only=True)</c>. torch 1.13's restricted unpickler has no float opcode, so every
    /// float in the metadata is stored as a 0-d float64 tensor (<c>float(x)</c> in Python); <see cref="CheckpointReader"/>
    /// turns those back into doubles.
    /// </summary>
    /// <param name="path">Target file; replaced atomically if it exists; its folder is created if needed.</param>
    /// <param name="stateDict">Names and tensors in the order to store them (any device; copied to the CPU).</param>
    /// <param name="metadata">Extra top-level entries: str, int, float, bool, null, lists and string-keyed dicts of those.</param>
    public static void Write(string path, IEnumerable<KeyValuePair<string, torch.Tensor>> stateDict,
        IReadOnlyDictionary<string, object?> metadata)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(stateDict);
        ArgumentNullException.ThrowIfNull(metadata);
        foreach (var reserved in new[] { PickledCheckpoint.FormatKey, PickledCheckpoint.StateDictKey })
        {
            if (metadata.ContainsKey(reserved))
                throw new ArgumentException($"metadata key '{reserved}' is reserved by the checkpoint format; rename it", nameof(metadata));
        }
        var tensors = stateDict.ToList();
        var duplicate = tensors.GroupBy(t => t.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null)
            throw new ArgumentException($"state_dict key '{duplicate.Key}' appears more than once; keys must be unique", nameof(stateDict));
        foreach (var (name, tensor) in tensors)
        {
            if (TorchStorageType.FromDType(tensor.dtype) == null)
                throw new ArgumentException($"tensor '{name}' has dtype {tensor.dtype}, which has no torch storage type here; convert it to float32 or int64", nameof(stateDict));
        }
        using var scope = torch.NewDisposeScope(); // the float scalars made for the metadata
        var top = new List<KeyValuePair<string, object?>>
        {
            new(PickledCheckpoint.FormatKey, FormatTag),
            new(PickledCheckpoint.StateDictKey, new PyOrderedDict(tensors.Select(t => new KeyValuePair<string, object?>(t.Key, new PyTensor(t.Value))).ToList())),
        };
        top.AddRange(metadata.Select(kv => new KeyValuePair<string, object?>(kv.Key, FloatsAsTensors(kv.Value, kv.Key))));
        WriteArchive(path, top);
    }

    /// <summary>
    /// A dict of Python objects (<see cref="PyInstance"/> trees with their tensors, plain values) as torch.save writes
    /// it. Floats stay floats, so only plain <c>torch.load</c> reads it, as it reads YOLOv7's own checkpoints.
    /// </summary>
    internal static void WriteObjects(string path, IReadOnlyList<KeyValuePair<string, object?>> top)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        WriteArchive(path, top);
    }

    private static void WriteArchive(string path, IReadOnlyList<KeyValuePair<string, object?>> top)
    {
        var pickler = new PythonObjectPickler();
        var pickle = pickler.Pickle(new PyDict(top));
        try
        {
            AtomicFile.Write(path, stream =>
            {
                var zip = new AlignedZipWriter(stream, path);
                zip.AddRecord(Archive + "data.pkl", pickle);
                zip.AddRecord(Archive + "byteorder", "little"u8);
                for (var i = 0; i < pickler.Storages.Count; i++)
                    WriteStorage(zip, i, pickler.Storages[i]);
                zip.AddRecord(Archive + "version", "3\n"u8);
                zip.Finish();
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, $"cannot be written ({e.Message})", "check that the folder is writable and has free space", e);
        }
    }

    /// <summary>Plain values with every float replaced by a 0-d float64 tensor (created in the caller's dispose scope).</summary>
    private static object? FloatsAsTensors(object? value, string where) => value switch
    {
        float or double or decimal => new PyTensor(torch.tensor(Convert.ToDouble(value, CultureInfo.InvariantCulture), torch.ScalarType.Float64)),
        Half half => new PyTensor(torch.tensor((double)half, torch.ScalarType.Float64)),
        string => value,
        IDictionary dict => Entries(dict).ToDictionary(
            e => e.Key as string ?? throw new ArgumentException($"metadata dict at '{where}' has a {e.Key.GetType().Name} key; keys must be strings"),
            e => FloatsAsTensors(e.Value, $"{where}.{e.Key}")),
        IEnumerable sequence => sequence.Cast<object?>().Select((item, i) => FloatsAsTensors(item, $"{where}[{i}]")).ToList(),
        _ => value,
    };

    private static IEnumerable<DictionaryEntry> Entries(IDictionary dict)
    {
        foreach (DictionaryEntry entry in dict) // IDictionary's own enumerator: a generic dictionary's yields KeyValuePairs
            yield return entry;
    }

    private static void WriteStorage(AlignedZipWriter zip, int index, torch.Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        zip.AddRecord(Archive + "data/" + index.ToString(CultureInfo.InvariantCulture),
            cpu.numel() == 0 ? [] : cpu.bytes);
    }
}
