using Razorvine.Pickle;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// The Python callables a PyTorch checkpoint pickle invokes, mapped onto stand-ins. Razorvine keeps constructors in
/// one process-wide table (<see cref="TorchUnpickler"/> registers these), so they hold no per-file state; the file
/// itself is reached through <c>TorchUnpickler.persistentLoad</c>.
/// Every class not listed here (models.yolo.Model, nn.Conv2d, …) becomes a Razorvine <see cref="Razorvine.Pickle.Objects.ClassDict"/>.
/// </summary>
internal static class TorchPickleConstructors
{
    /// <summary>(module, name, constructor) for every callable this reader understands.</summary>
    public static readonly IReadOnlyList<(string Module, string Name, IObjectConstructor Constructor)> All = Create();

    private static List<(string, string, IObjectConstructor)> Create()
    {
        var tensor = new RebuildTensor();
        var parameter = new RebuildParameter();
        var all = new List<(string, string, IObjectConstructor)>
        {
            ("torch._utils", "_rebuild_tensor_v2", tensor),
            ("torch._utils", "_rebuild_tensor", tensor),
            ("torch._utils", "_rebuild_parameter", parameter),
            ("torch._utils", "_rebuild_parameter_with_state", parameter),
            ("collections", "OrderedDict", new OrderedDictConstructor()),
            ("numpy", "dtype", new NumpyDtype()),
        };
        foreach (var module in new[] { "numpy.core.multiarray", "numpy._core.multiarray" })
        {
            all.Add((module, "_reconstruct", new NumpyReconstruct()));
            all.Add((module, "scalar", new NumpyScalar()));
        }
        // Values that modules or training scripts sometimes keep as attributes. Razorvine's fallback for unknown
        // classes cannot take constructor arguments, so without these one such attribute would fail the whole read.
        all.Add(("torch", "device", new AsValue(args => string.Join(':', args))));
        all.Add(("torch", "Size", new AsValue(args => args.Length == 1 ? args[0] : args)));
        // YOLOv7's fuse() keeps the fused forward as an attribute, forward = getattr(self, 'fuseforward').
        foreach (var builtins in new[] { "__builtin__", "builtins" })
            all.Add((builtins, "getattr", new AsValue(args => $"<bound method {(args.Length > 1 ? args[1] : "")}>")));
        foreach (var pathClass in new[] { "Path", "PosixPath", "WindowsPath", "PurePosixPath", "PureWindowsPath" })
            all.Add(("pathlib", pathClass, new AsValue(args => string.Join('/', args))));
        return all;
    }

    /// <summary><c>_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])</c>.</summary>
    private sealed class RebuildTensor : IObjectConstructor
    {
        public object construct(object[] args)
        {
            if (args.Length < 4 || args[0] is not StorageRef storage || args[2] is not object[] size || args[3] is not object[] stride
                || size.Length != stride.Length)
                throw new PickleException("torch._utils._rebuild_tensor_v2 called with arguments this reader does not understand");
            return new TensorRef(storage, Convert.ToInt64(args[1]), size.Select(Convert.ToInt64).ToArray(),
                stride.Select(Convert.ToInt64).ToArray());
        }
    }

    /// <summary><c>_rebuild_parameter(data, requires_grad, backward_hooks)</c>: a Parameter is its data here.</summary>
    private sealed class RebuildParameter : IObjectConstructor
    {
        public object construct(object[] args) =>
            args.Length > 0 && args[0] is TensorRef data
                ? data
                : throw new PickleException("torch._utils._rebuild_parameter called without a tensor");
    }

    private sealed class OrderedDictConstructor : IObjectConstructor
    {
        public object construct(object[] args)
        {
            var dict = new PickledOrderedDict();
            // OrderedDict(iterable_of_pairs) is legal Python though torch.save never writes it.
            if (args.Length == 1 && args[0] is System.Collections.IEnumerable pairs)
            {
                foreach (var pair in pairs)
                {
                    if (pair is object[] { Length: 2 } kv)
                        dict[kv[0]] = kv[1];
                }
            }
            return dict;
        }
    }

    /// <summary>Replaces a Python object by a plain value computed from its constructor arguments.</summary>
    private sealed class AsValue(Func<object[], object> convert) : IObjectConstructor
    {
        public object construct(object[] args) => convert(args);
    }

    private sealed class NumpyReconstruct : IObjectConstructor
    {
        public object construct(object[] args) => new NumpyArrayStub();
    }

    private sealed class NumpyDtype : IObjectConstructor
    {
        public object construct(object[] args) =>
            new NumpyDtypeStub(args.Length > 0 && args[0] is string code ? code : "");
    }

    /// <summary><c>numpy.core.multiarray.scalar(dtype, raw_bytes)</c>, e.g. a <c>numpy.float64</c> fitness value.</summary>
    private sealed class NumpyScalar : IObjectConstructor
    {
        public object construct(object[] args)
        {
            if (args.Length == 2 && args[0] is NumpyDtypeStub dtype)
            {
                var bytes = args[1] switch
                {
                    byte[] raw => raw,
                    string text => System.Text.Encoding.Latin1.GetBytes(text),
                    _ => [],
                };
                if (dtype.TryDecode(bytes, out var value) && value != null)
                    return value;
            }
            throw new PickleException("numpy scalar of a type this reader does not understand");
        }
    }
}
