using TorchSharp;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// Writes a state_dict plus plain metadata as a PyTorch zip checkpoint that <c>torch.load(path, weights_only=True)</c>
/// reads as <c>{'format': 'prunecluster/1', 'state_dict': OrderedDict(name -&gt; tensor), **metadata}</c> and that
/// <see cref="CheckpointReader"/> reads back. The layout mirrors torch.save: records <c>archive/data.pkl</c>
/// (protocol-2 pickle), <c>archive/byteorder</c>, <c>archive/data/0..N-1</c> (one storage per tensor, stored
/// uncompressed and 64-byte aligned) and <c>archive/version</c>. Tensors keep their dtype.
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

        var pickle = BuildPickle(tensors, metadata);
        try
        {
            AtomicFile.Write(path, stream =>
            {
                var zip = new AlignedZipWriter(stream, path);
                zip.AddRecord(Archive + "data.pkl", pickle);
                zip.AddRecord(Archive + "byteorder", "little"u8);
                for (var i = 0; i < tensors.Count; i++)
                    WriteStorage(zip, i, tensors[i].Value);
                zip.AddRecord(Archive + "version", "3\n"u8);
                zip.Finish();
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, $"cannot be written ({e.Message})", "check that the folder is writable and has free space", e);
        }
    }

    private static byte[] BuildPickle(List<KeyValuePair<string, torch.Tensor>> tensors, IReadOnlyDictionary<string, object?> metadata)
    {
        var pickle = new Protocol2PickleWriter();
        var top = new List<KeyValuePair<string, object?>>
        {
            new(PickledCheckpoint.FormatKey, FormatTag),
            new(PickledCheckpoint.StateDictKey, null),
        };
        top.AddRange(metadata);
        pickle.EmptyDict();
        pickle.DictItems(top, (w, key, value) =>
        {
            if (key == PickledCheckpoint.StateDictKey)
                WriteStateDict(w, tensors);
            else
                w.PlainValue(value, key);
        });
        return pickle.Finish();
    }

    /// <summary>
    /// Each tensor as torch.save pickles it: <c>_rebuild_tensor_v2(persistent storage id, 0, size, stride, False, OrderedDict())</c>,
    /// the storage id being <c>('storage', torch.XxxStorage, '&lt;index&gt;', 'cpu', numel)</c>.
    /// </summary>
    private static void WriteStateDict(Protocol2PickleWriter w, List<KeyValuePair<string, torch.Tensor>> tensors)
    {
        var index = 0;
        w.OrderedDict(tensors, (w, _, tensor) =>
        {
            var storageType = TorchStorageType.FromDType(tensor.dtype)!;
            var size = tensor.shape;
            w.Global("torch._utils", "_rebuild_tensor_v2");
            w.Tuple(6, w =>
            {
                w.Tuple(5, w =>
                {
                    w.String("storage");
                    w.Global(TorchStorageType.Module, storageType.ClassName);
                    w.String((index++).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    w.String("cpu");
                    w.Int(tensor.numel());
                });
                w.PersistentId();
                w.Int(0);
                w.Ints(size);
                w.Ints(ContiguousStrides(size));
                w.Bool(false);
                w.OrderedDict(new List<KeyValuePair<string, object?>>(), (_, _, _) => { });
            });
            w.Reduce();
        });
    }

    private static void WriteStorage(AlignedZipWriter zip, int index, torch.Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        zip.AddRecord(Archive + "data/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture),
            cpu.numel() == 0 ? [] : cpu.bytes);
    }

    private static long[] ContiguousStrides(long[] size)
    {
        var strides = new long[size.Length];
        var stride = 1L;
        for (var i = size.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= Math.Max(size[i], 1);
        }
        return strides;
    }
}
