using TorchSharp;

namespace PruneCluster.Engine.Checkpoints;

// The Python values a whole-model checkpoint holds besides str/int/float/bool/None/list/dict, as
// PythonObjectPickler writes them. Instances and tensors are classes: the same .NET object written twice is one
// Python object referenced twice (through the pickle memo), as YOLOv7's IDetect.stride is Model.stride.

/// <summary>
/// An instance pickled the way Python pickles a plain object (and so every <c>torch.nn.Module</c>): NEWOBJ of its
/// class without arguments, then BUILD with its <c>__dict__</c>, whose key order is kept.
/// </summary>
internal sealed class PyInstance(string module, string name)
{
    public string Module { get; } = module;
    public string Name { get; } = name;
    public List<KeyValuePair<string, object?>> Dict { get; } = [];

    public PyInstance Set(string key, object? value)
    {
        Dict.Add(new(key, value));
        return this;
    }
}

/// <summary>A tensor (or, with <see cref="IsParameter"/>, an <c>nn.Parameter</c>) stored in the zip with its dtype.</summary>
internal sealed class PyTensor(torch.Tensor tensor, bool isParameter = false, bool requiresGrad = false)
{
    public torch.Tensor Tensor { get; } = tensor;
    public bool IsParameter { get; } = isParameter;
    public bool RequiresGrad { get; } = requiresGrad;
}

/// <summary>A Python tuple.</summary>
internal sealed record PyTuple(params object?[] Items);

/// <summary>A plain <c>dict</c> with string keys, in this order.</summary>
internal sealed record PyDict(IReadOnlyList<KeyValuePair<string, object?>> Items);

/// <summary>A <c>collections.OrderedDict</c> with string keys.</summary>
internal sealed record PyOrderedDict(IReadOnlyList<KeyValuePair<string, object?>> Items);

/// <summary>A Python <c>set</c>.</summary>
internal sealed record PySet(IReadOnlyList<object?> Items);

/// <summary><c>getattr(self, name)</c>: a bound method kept as an attribute (YOLOv7's fuse() sets <c>forward = fuseforward</c>).</summary>
internal sealed record PyBoundMethod(PyInstance Self, string Name);
