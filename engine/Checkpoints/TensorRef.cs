namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// What <c>torch._utils._rebuild_tensor_v2</c> would build: a strided view into a storage. Kept as a description so
/// only tensors that end up in the state_dict are materialised (a model also pickles scratch tensors such as grids).
/// </summary>
internal sealed record TensorRef(StorageRef Storage, long StorageOffset, long[] Size, long[] Stride)
{
    public long ElementCount => Size.Aggregate(1L, (product, dim) => product * dim);

    /// <summary>One past the last storage element the view touches (as_strided's bound check).</summary>
    public long StorageEnd
    {
        get
        {
            if (ElementCount == 0)
                return StorageOffset;
            var last = StorageOffset;
            for (var i = 0; i < Size.Length; i++)
                last += (Size[i] - 1) * Stride[i];
            return last + 1;
        }
    }

    public string ShapeText => "[" + string.Join(", ", Size) + "]";
}
