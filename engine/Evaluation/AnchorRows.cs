using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// One image's decoded anchors (rows cx, cy, w, h, obj, class scores) read in place from one or more contiguous
/// float32 pieces, one per detection level, whose concatenation is the image's prediction. NMS reads the levels where
/// they are, so that a sensitivity variant need not concatenate (copy) levels it took unchanged from the unpruned run.
/// </summary>
/// <remarks>Holds raw pointers into the pieces' memory: valid only while the pieces' tensors are alive.</remarks>
internal readonly unsafe struct AnchorRows
{
    private readonly nint[] pieces;
    private readonly int[] ends; // anchors up to the end of each piece

    /// <param name="pieces">Contiguous float32 CPU tensors [anchors_i, width], each under 2 GiB.</param>
    public AnchorRows(IReadOnlyList<Tensor> pieces, int width)
    {
        Width = width;
        this.pieces = new nint[pieces.Count];
        ends = new int[pieces.Count];
        for (var i = 0; i < pieces.Count; i++)
        {
            var values = MemoryMarshal.Cast<byte, float>(pieces[i].bytes);
            this.pieces[i] = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(values));
            Count += values.Length / width;
            ends[i] = Count;
        }
    }

    /// <summary>Floats per row (5 + nc).</summary>
    public int Width { get; }

    /// <summary>Anchors in all pieces.</summary>
    public int Count { get; }

    /// <summary>Row <paramref name="anchor"/> of the concatenation.</summary>
    public ReadOnlySpan<float> this[int anchor]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var piece = 0;
            while (anchor >= ends[piece])
                piece++;
            var local = piece == 0 ? anchor : anchor - ends[piece - 1];
            return new ReadOnlySpan<float>((float*)pieces[piece] + (long)local * Width, Width);
        }
    }
}
