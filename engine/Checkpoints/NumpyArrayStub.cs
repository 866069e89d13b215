namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// A numpy array as pickled by numpy (<c>_reconstruct(ndarray, (0,), b'b')</c> then BUILD with
/// <c>(version, shape, dtype, is_fortran, raw bytes)</c>). Only turned into plain values for metadata.
/// </summary>
internal sealed class NumpyArrayStub
{
    private long[] _shape = [];
    private NumpyDtypeStub? _dtype;
    private bool _fortranOrder;
    private byte[]? _data;

    /// <summary>Called by Razorvine's BUILD opcode.</summary>
    public void __setstate__(object[] state)
    {
        if (state.Length < 5)
            return;
        _shape = state[1] is object[] dims ? dims.Select(Convert.ToInt64).ToArray() : [];
        _dtype = state[2] as NumpyDtypeStub;
        _fortranOrder = state[3] is true;
        _data = state[4] switch
        {
            byte[] bytes => bytes,
            string text => System.Text.Encoding.Latin1.GetBytes(text),
            _ => null,
        };
    }

    /// <summary>A scalar for a 0-d array, nested lists otherwise; false for non-numeric or Fortran-order arrays.</summary>
    public bool TryToPlain(out object? value)
    {
        value = null;
        if (_dtype == null || _data == null || _fortranOrder)
            return false;
        var count = _shape.Aggregate(1L, (product, dim) => product * dim);
        if (count * _dtype.ItemSize > _data.Length)
            return false;
        var flat = new object?[count];
        for (var i = 0; i < count; i++)
        {
            if (!_dtype.TryDecode(_data.AsSpan((int)(i * _dtype.ItemSize)), out flat[i]))
                return false;
        }
        var position = 0;
        value = _shape.Length == 0 ? flat[0] : Nest(flat, 0, ref position);
        return true;
    }

    private List<object?> Nest(object?[] flat, int dim, ref int position)
    {
        var list = new List<object?>();
        for (var i = 0; i < _shape[dim]; i++)
            list.Add(dim == _shape.Length - 1 ? flat[position++] : Nest(flat, dim + 1, ref position));
        return list;
    }
}
