using System.Collections;
using System.Globalization;
using TorchSharp;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// Pickles a tree of plain values and the Py* objects (<see cref="PyInstance"/>, <see cref="PyTensor"/> …) the way <c>torch.save</c> does (protocol 2): every
/// tensor becomes <c>_rebuild_tensor_v2</c> of a storage persistent id (<c>_rebuild_parameter</c> around it for a
/// Parameter) whose bytes go to the zip in <see cref="Storages"/> order; instances and tensors are memoised, so a
/// shared one is written once and referenced after. Plain floats are BINFLOAT, which torch's <c>weights_only</c>
/// unpickler (1.13) does not accept: callers that need that replace them first.
/// </summary>
internal sealed class PythonObjectPickler
{
    private readonly Protocol2PickleWriter _w = new();
    private readonly Dictionary<object, int> _memo = new(ReferenceEqualityComparer.Instance);
    private readonly List<torch.Tensor> _storages = [];

    /// <summary>The tensors to store as <c>data/0..N-1</c>, one storage each, in the order the pickle names them.</summary>
    public IReadOnlyList<torch.Tensor> Storages => _storages;

    public byte[] Pickle(object? root)
    {
        Write(root, "");
        return _w.Finish();
    }

    private void Write(object? value, string where)
    {
        if (value is PyInstance or PyTensor && _memo.TryGetValue(value, out var known))
        {
            _w.Get(known);
            return;
        }
        switch (value)
        {
            case null: _w.None(); break;
            case string text: _w.String(text); break;
            case bool flag: _w.Bool(flag); break;
            case sbyte or byte or short or ushort or int or uint or long: _w.Int(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case ulong big when big <= long.MaxValue: _w.Int((long)big); break;
            case float or double or decimal: _w.Float(Convert.ToDouble(value, CultureInfo.InvariantCulture)); break;
            case Half half: _w.Float((double)half); break;
            case PyInstance instance: WriteInstance(instance, where); break;
            case PyTensor tensor: WriteTensor(tensor, where); break;
            case PyTuple tuple: _w.Tuple(tuple.Items.Length, _ => WriteItems(tuple.Items, where)); break;
            case PyDict dict:
                _w.EmptyDict();
                _w.DictItems(dict.Items, (_, key, item) => Write(item, Child(where, key)));
                break;
            case PyOrderedDict ordered:
                _w.Global("collections", "OrderedDict");
                _w.Tuple(0, _ => { });
                _w.Reduce();
                _w.DictItems(ordered.Items, (_, key, item) => Write(item, Child(where, key)));
                break;
            case PySet set:
                _w.Global("__builtin__", "set");
                _w.Tuple(1, _ => WriteList(set.Items, where));
                _w.Reduce();
                break;
            case PyBoundMethod method:
                _w.Global("__builtin__", "getattr");
                _w.Tuple(2, _ =>
                {
                    Write(method.Self, where);
                    _w.String(method.Name);
                });
                _w.Reduce();
                break;
            case IDictionary dict: WriteDict(dict, where); break;
            case IEnumerable sequence: WriteList(sequence.Cast<object?>().ToList(), where); break;
            default:
                throw new ArgumentException($"metadata value at '{where}' is a {value.GetType().Name}; use str, int, float, bool, null, list or dict");
        }
    }

    private void WriteItems(IEnumerable<object?> items, string where)
    {
        var i = 0;
        foreach (var item in items)
            Write(item, $"{where}[{i++}]");
    }

    private void WriteInstance(PyInstance instance, string where)
    {
        _w.Global(instance.Module, instance.Name);
        _w.Tuple(0, _ => { });
        _w.NewObj();
        Remember(instance); // before its state, so a bound method in it can refer back to it
        _w.EmptyDict();
        _w.DictItems(instance.Dict, (_, key, item) => Write(item, Child(where, key)));
        _w.Build();
    }

    /// <summary>
    /// As torch.save: <c>_rebuild_tensor_v2(('storage', torch.XxxStorage, '&lt;index&gt;', 'cpu', numel), 0, size,
    /// stride, False, OrderedDict())</c>, wrapped in <c>_rebuild_parameter(tensor, requires_grad, OrderedDict())</c>.
    /// </summary>
    private void WriteTensor(PyTensor value, string where)
    {
        if (value.IsParameter)
        {
            _w.Global("torch._utils", "_rebuild_parameter");
            _w.Tuple(3, w =>
            {
                WriteTensorData(value.Tensor, where);
                w.Bool(value.RequiresGrad);
                Write(new PyOrderedDict([]), where);
            });
            _w.Reduce();
        }
        else
        {
            WriteTensorData(value.Tensor, where);
        }
        Remember(value);
    }

    private void WriteTensorData(torch.Tensor tensor, string where)
    {
        var storageType = TorchStorageType.FromDType(tensor.dtype)
            ?? throw new ArgumentException($"tensor '{where}' has dtype {tensor.dtype}, which has no torch storage type here; convert it to float32 or int64");
        var index = _storages.Count;
        _storages.Add(tensor);
        var size = tensor.shape;
        _w.Global("torch._utils", "_rebuild_tensor_v2");
        _w.Tuple(6, w =>
        {
            w.Tuple(5, w =>
            {
                w.String("storage");
                w.Global(TorchStorageType.Module, storageType.ClassName);
                w.String(index.ToString(CultureInfo.InvariantCulture));
                w.String("cpu");
                w.Int(tensor.numel());
            });
            w.PersistentId();
            w.Int(0);
            w.Ints(size);
            w.Ints(ContiguousStrides(size));
            w.Bool(false);
            Write(new PyOrderedDict([]), where);
        });
        _w.Reduce();
    }

    private void Remember(object value)
    {
        var index = _memo.Count;
        _memo[value] = index;
        _w.Put(index);
    }

    private void WriteDict(IDictionary dict, string where)
    {
        var items = new List<KeyValuePair<string, object?>>();
        foreach (DictionaryEntry entry in dict)
        {
            if (entry.Key is not string key)
                throw new ArgumentException($"metadata dict at '{where}' has a {entry.Key.GetType().Name} key; keys must be strings");
            items.Add(new(key, entry.Value));
        }
        Write(new PyDict(items), where);
    }

    private void WriteList(IReadOnlyList<object?> items, string where) =>
        _w.List(items, (_, i, item) => Write(item, $"{where}[{i}]"));

    private static string Child(string where, string key) => where.Length == 0 ? key : $"{where}.{key}";

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
