namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// <c>numpy.dtype</c> as pickled by numpy (<c>dtype('f8', False, True)</c> then BUILD with a state tuple whose
/// second item is the byte order). YOLOv7 checkpoints pickle numpy values such as <c>best_fitness</c>; only simple
/// numeric dtypes are understood, which is all such metadata uses.
/// </summary>
internal sealed class NumpyDtypeStub
{
    public NumpyDtypeStub(string typeCode)
    {
        TypeCode = typeCode;
    }

    /// <summary>numpy's kind+size code, e.g. <c>f8</c>, <c>i8</c>, <c>b1</c>.</summary>
    public string TypeCode { get; }

    /// <summary><c>&lt;</c>, <c>&gt;</c>, <c>|</c> (not applicable) or <c>=</c> (native).</summary>
    public string ByteOrder { get; private set; } = "=";

    public int ItemSize => int.TryParse(TypeCode.AsSpan(1), out var size) ? size : 0;

    /// <summary>Called by Razorvine's BUILD opcode.</summary>
    public void __setstate__(object[] state)
    {
        if (state.Length > 1 && state[1] is string order)
            ByteOrder = order;
    }

    /// <summary>Decodes one element, or returns false for a dtype that is not a plain number.</summary>
    public bool TryDecode(ReadOnlySpan<byte> bytes, out object? value)
    {
        value = null;
        if (ItemSize == 0 || bytes.Length < ItemSize)
            return false;
        Span<byte> element = stackalloc byte[ItemSize];
        bytes[..ItemSize].CopyTo(element);
        if (ByteOrder == ">" == BitConverter.IsLittleEndian)
            element.Reverse();
        value = (TypeCode[0], ItemSize) switch
        {
            ('f', 8) => BitConverter.ToDouble(element),
            ('f', 4) => (double)BitConverter.ToSingle(element),
            ('f', 2) => (double)BitConverter.ToHalf(element),
            ('i', 8) => BitConverter.ToInt64(element),
            ('i', 4) => (long)BitConverter.ToInt32(element),
            ('i', 2) => (long)BitConverter.ToInt16(element),
            ('i', 1) => (long)(sbyte)element[0],
            ('u', 4) => (long)BitConverter.ToUInt32(element),
            ('u', 2) => (long)BitConverter.ToUInt16(element),
            ('u', 1) => (long)element[0],
            ('b', 1) => element[0] != 0,
            _ => null,
        };
        return value != null;
    }
}
