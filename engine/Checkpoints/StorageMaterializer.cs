using System.IO.Compression;
using TorchSharp;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// Turns <see cref="TensorRef"/>s into TorchSharp tensors: loads each storage record once, applies the view's
/// offset/size/stride (as_strided) and copies it into a fresh contiguous CPU tensor — float32 for every floating
/// dtype (fp16 → fp32 is exact), the stored dtype otherwise.
/// </summary>
internal sealed class StorageMaterializer : IDisposable
{
    private readonly ZipArchive _zip;
    private readonly string _recordPrefix;
    private readonly string _path;
    private readonly Dictionary<string, torch.Tensor> _storages = [];

    public StorageMaterializer(ZipArchive zip, string recordPrefix, string path)
    {
        _zip = zip;
        _recordPrefix = recordPrefix;
        _path = path;
    }

    public torch.Tensor Materialize(string name, TensorRef tensor)
    {
        var storage = tensor.Storage;
        if (!tensor.FitsIn(storage.ElementCount))
            throw new CheckpointException(_path,
                $"tensor '{name}' {tensor.ShapeText} lies outside its storage '{storage.Key}' of {storage.ElementCount} elements",
                "the file is corrupt; save the checkpoint again");
        var flat = LoadStorage(storage);
        var target = storage.Type.IsFloatingPoint ? torch.ScalarType.Float32 : storage.Type.DType;
        using var view = flat.as_strided(tensor.Size, tensor.Stride, tensor.StorageOffset);
        var result = torch.empty(tensor.Size, target);
        result.copy_(view);
        return result;
    }

    /// <summary>The value of a 0-d tensor, in its stored precision (a float the state-dict format keeps as a float64 tensor).</summary>
    public double Scalar(TensorRef tensor)
    {
        if (tensor.Size.Length != 0 || !tensor.FitsIn(tensor.Storage.ElementCount))
            throw new CheckpointException(_path, $"a scalar {tensor.ShapeText} lies outside its storage '{tensor.Storage.Key}'",
                "the file is corrupt; save the checkpoint again");
        using var element = LoadStorage(tensor.Storage)[tensor.StorageOffset];
        return element.ToDouble();
    }

    private torch.Tensor LoadStorage(StorageRef storage)
    {
        if (_storages.TryGetValue(storage.Key, out var cached))
            return cached;
        var recordName = _recordPrefix + "data/" + storage.Key;
        var entry = _zip.GetEntry(recordName)
            ?? throw new CheckpointException(_path, $"storage record '{recordName}' is missing from the zip",
                "the file is incomplete; copy or save the checkpoint again");
        // The element count comes from the pickle; compare it with the record before multiplying or allocating.
        if (storage.ElementCount < 0 || storage.ElementCount > entry.Length / storage.Type.ElementSize)
            throw new CheckpointException(_path,
                $"storage record '{recordName}' holds {entry.Length} bytes, too few for {storage.ElementCount} x {storage.Type.ClassName}",
                "the file is corrupt; save the checkpoint again");
        var byteCount = storage.ElementCount * storage.Type.ElementSize;
        var bytes = new byte[byteCount];
        using (var stream = entry.Open())
            stream.ReadExactly(bytes);
        // torch.save writes storages in the saving machine's byte order, which the 'byteorder' record states and
        // CheckpointReader has checked to be little-endian, as is every machine TorchSharp runs on.
        var flat = torch.empty(storage.ElementCount, storage.Type.DType);
        if (byteCount > 0)
            flat.bytes = bytes;
        _storages[storage.Key] = flat;
        return flat;
    }

    public void Dispose()
    {
        foreach (var storage in _storages.Values)
            storage.Dispose();
        _storages.Clear();
    }
}
