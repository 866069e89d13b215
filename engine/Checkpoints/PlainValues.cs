using System.Collections;
using System.Globalization;
using System.Numerics;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// Turns unpickled Python values into plain .NET ones (Dictionary&lt;string, object?&gt;, List&lt;object?&gt;,
/// string, long, double, bool, byte[], null) so callers never see Razorvine types. Tensors, modules and other class
/// instances are not plain: <see cref="TryConvert"/> refuses them, except a 0-d float64 tensor, which is how the
/// state-dict format stores a float (torch 1.13's <c>weights_only</c> unpickler has no float opcode) and which
/// <c>scalars</c> reads.
/// </summary>
internal static class PlainValues
{
    /// <summary>Deeper nesting than any checkpoint's metadata has; a damaged pickle can make a list contain itself.</summary>
    public const int MaxDepth = 64;

    public static bool TryConvert(object? value, Func<TensorRef, double>? scalars, out object? plain) => TryConvert(value, scalars, 0, out plain);

    public static bool TryConvertDict(Hashtable dict, Func<TensorRef, double>? scalars, out object? plain) => TryConvertDict(dict, scalars, 0, out plain);

    private static bool TryConvert(object? value, Func<TensorRef, double>? scalars, int depth, out object? plain)
    {
        plain = null;
        if (depth > MaxDepth)
            return false;
        switch (value)
        {
            case null:
                return true;
            case string or bool or double or byte[]:
                plain = value;
                return true;
            case int or long or short or sbyte or byte or ushort or uint:
                plain = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                return true;
            case float single:
                plain = (double)single;
                return true;
            case BigInteger big when big >= long.MinValue && big <= long.MaxValue:
                plain = (long)big;
                return true;
            case TensorRef { Size.Length: 0 } scalar when scalars != null && scalar.Storage.Type.DType == TorchSharp.torch.ScalarType.Float64:
                plain = scalars(scalar);
                return true;
            case NumpyArrayStub array:
                return array.TryToPlain(out plain);
            case Hashtable dict:
                return TryConvertDict(dict, scalars, depth + 1, out plain);
            case ArrayList or object[] or HashSet<object>:
                return TryConvertSequence((IEnumerable)value, scalars, depth + 1, out plain);
            default:
                return false;
        }
    }

    private static bool TryConvertDict(Hashtable dict, Func<TensorRef, double>? scalars, int depth, out object? plain)
    {
        plain = null;
        var result = new Dictionary<string, object?>();
        foreach (var (key, value) in PickledOrderedDict.EntriesOf(dict))
        {
            if (!TryConvert(value, scalars, depth, out var converted))
                return false;
            result[Convert.ToString(key, CultureInfo.InvariantCulture) ?? ""] = converted;
        }
        plain = result;
        return true;
    }

    private static bool TryConvertSequence(IEnumerable items, Func<TensorRef, double>? scalars, int depth, out object? plain)
    {
        plain = null;
        var result = new List<object?>();
        foreach (var item in items)
        {
            if (!TryConvert(item, scalars, depth, out var converted))
                return false;
            result.Add(converted);
        }
        plain = result;
        return true;
    }
}
