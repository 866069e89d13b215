using System.IO.Compression;
using Razorvine.Pickle;
using TorchSharp;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// Reads PyTorch zip checkpoints (<c>torch.save</c> since torch 1.6) without Python: official YOLOv7 <c>.pt</c>
/// files, state_dict files and this tool's own files. Every problem with the file surfaces as a one-line
/// <see cref="CheckpointException"/>.
/// </summary>
public static class CheckpointReader
{
    private const string PickleRecord = "data.pkl";

    // torch's pre-1.6 format starts with a pickled magic number (protocol 2, LONG1 of 10 bytes).
    private static readonly byte[] LegacyTorchMagic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
    private static readonly byte[] ZipMagic = [0x50, 0x4b, 0x03, 0x04];

    public static CheckpointContents Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new CheckpointException(path, "file not found", "check the path");
        try
        {
            using var stream = File.OpenRead(path);
            CheckSignature(path, stream);
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
            var recordPrefix = FindRecordPrefix(path, zip);
            CheckByteOrder(path, zip, recordPrefix);
            var root = Unpickle(path, zip.GetEntry(recordPrefix + PickleRecord)!);
            using var materializer = new StorageMaterializer(zip, recordPrefix, path);
            var checkpoint = PickledCheckpoint.Interpret(path, root, materializer.Scalar);
            var stateDict = Materialize(path, materializer, checkpoint.Entries);
            return new CheckpointContents(path, checkpoint.Format, checkpoint.ModelKey, stateDict, checkpoint.ModelYaml,
                checkpoint.PruningCfg, checkpoint.ClassNames, checkpoint.Metadata, StoredFloatType(checkpoint.Entries), checkpoint.ModelClass);
        }
        catch (CheckpointException)
        {
            throw;
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointException(path, $"not a complete zip archive, it is truncated or corrupt ({e.Message})",
                "copy or download the checkpoint again", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, $"cannot be read ({e.Message})", "check that the file is readable", e);
        }
    }

    private static void CheckSignature(string path, FileStream stream)
    {
        Span<byte> head = stackalloc byte[LegacyTorchMagic.Length];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        if (read == 0)
            throw new CheckpointException(path, "the file is empty", "copy or save the checkpoint again");
        if (head[..read].SequenceEqual(LegacyTorchMagic))
            throw new CheckpointException(path, "legacy (pre-1.6, non-zip) torch serialization is not supported",
                "re-save it with a recent torch: torch.save(torch.load(path), path)");
        if (read < ZipMagic.Length || !head[..ZipMagic.Length].SequenceEqual(ZipMagic))
            throw new CheckpointException(path, "not a PyTorch checkpoint (no zip signature)",
                "pass a .pt file written by torch.save or by this tool");
    }

    /// <summary>torch.save puts every record under one folder (the file's stem, or 'archive'); find it by data.pkl.</summary>
    private static string FindRecordPrefix(string path, ZipArchive zip)
    {
        var pickle = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/" + PickleRecord, StringComparison.Ordinal)
                                                     && e.FullName.IndexOf('/') == e.FullName.Length - PickleRecord.Length - 1)
            ?? zip.Entries.FirstOrDefault(e => e.FullName == PickleRecord)
            ?? throw new CheckpointException(path, "the zip holds no data.pkl, so it is not a torch.save checkpoint",
                "pass a .pt file written by torch.save or by this tool");
        return pickle.FullName[..^PickleRecord.Length];
    }

    private static void CheckByteOrder(string path, ZipArchive zip, string recordPrefix)
    {
        var entry = zip.GetEntry(recordPrefix + "byteorder");
        if (entry == null)
            return; // written before torch 2.1, always little-endian in practice
        using var reader = new StreamReader(entry.Open());
        var order = reader.ReadToEnd().Trim();
        if (order != "little")
            throw new CheckpointException(path, $"tensors are stored {order}-endian", "re-save the checkpoint on a little-endian machine");
    }

    private static object? Unpickle(string path, ZipArchiveEntry pickleEntry)
    {
        byte[] pickle;
        using (var stream = pickleEntry.Open())
        using (var buffer = new MemoryStream())
        {
            stream.CopyTo(buffer);
            pickle = buffer.ToArray();
        }
        try
        {
            using var unpickler = new TorchUnpickler(path);
            return unpickler.loads(pickle);
        }
        catch (Exception e) when (e is not CheckpointException)
        {
            // Razorvine wraps the real cause (e.g. a failed __setstate__) one level down.
            var detail = e.InnerException is { } cause ? $"{e.Message}: {cause.Message}" : e.Message;
            throw new CheckpointException(path, $"data.pkl cannot be unpickled ({detail})",
                "the file is corrupt or uses Python objects this reader does not know; save the weights with torch.save(model.state_dict())", e);
        }
    }

    // The one floating dtype the file stores its weights in (YOLOv7's train.py saves float16); float32 when the file
    // has none or mixes several.
    private static torch.ScalarType StoredFloatType(IReadOnlyList<KeyValuePair<string, object>> entries)
    {
        var types = entries.Select(e => e.Value).OfType<TensorRef>().Select(t => t.Storage.Type)
            .Where(t => t.IsFloatingPoint).Select(t => t.DType).Distinct().ToList();
        return types.Count == 1 ? types[0] : torch.ScalarType.Float32;
    }

    private static List<KeyValuePair<string, torch.Tensor>> Materialize(string path, StorageMaterializer materializer,
        IReadOnlyList<KeyValuePair<string, object>> entries)
    {
        var result = new List<KeyValuePair<string, torch.Tensor>>(entries.Count);
        try
        {
            foreach (var (name, value) in entries)
            {
                if (value is not TensorRef tensor)
                    throw new CheckpointException(path, $"state_dict entry '{name}' is not a tensor",
                        "save the weights with torch.save(model.state_dict())");
                result.Add(new(name, materializer.Materialize(name, tensor)));
            }
            return result;
        }
        catch
        {
            foreach (var entry in result)
                entry.Value.Dispose();
            throw;
        }
    }
}
