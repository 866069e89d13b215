namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// What <c>torch._utils._rebuild_tensor_v2</c> would build: a strided view into a storage. Kept as a description so
/// only tensors that end up in the state_dict are materialised (a model also pickles scratch tensors such as grids).
/// </summary>
internal sealed record TensorRef(StorageRef Storage, long StorageOffset, long[] Size, long[] Stride)
{
    public long ElementCount => Size.Aggregate(1L, (product, dim) => product * dim);

    /// <summary>
    /// Whether the view lies inside a storage of <paramref name="storageElements"/> elements and holds no more elements
    /// than it (a state_dict tensor never repeats storage elements): computed without overflow, so damaged sizes or
    /// strides cannot pass, and a tensor can never ask for more memory than its storage record holds.
    /// </summary>
    public bool FitsIn(long storageElements)
    {
        if (StorageOffset < 0 || Size.Length > MaxRank || Size.Length != Stride.Length || Size.Any(s => s < 0) || Stride.Any(s => s < 0))
            return false;
        if (Size.Contains(0))
            return StorageOffset <= storageElements;
        if (StorageOffset >= storageElements)
            return false;
        // Every factor and term is non-negative, so stopping at the first excess keeps Int128 from overflowing.
        Int128 count = 1;
        Int128 last = StorageOffset;
        for (var i = 0; i < Size.Length; i++)
        {
            count *= Size[i];
            last += (Int128)(Size[i] - 1) * Stride[i];
            if (count > storageElements || last >= storageElements)
                return false;
        }
        return true;
    }

    /// <summary>More dimensions than any model tensor has; libtorch's own limit is not much higher.</summary>
    public const int MaxRank = 8;

    public string ShapeText => "[" + string.Join(", ", Size) + "]";
}
