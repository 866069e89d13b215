namespace PruneCluster.Tests.Checkpoints;

/// <summary>
/// A stdlib-only Python script that writes checkpoints the way torch.save lays them out (zip records, storage
/// persistent ids, <c>_rebuild_tensor_v2</c> / <c>_rebuild_parameter</c>, modules pickled as their <c>__dict__</c>)
/// using stand-in classes, to cover what the golden files do not: an EMA entry, views with offsets and strides,
/// shared storages, non-persistent buffers, None parameters, dicts larger than one pickle batch, state_dict files
/// and inputs that must be rejected.
/// </summary>
public static class ForeignCheckpointScript
{
    public const string Source = """
        import collections, pickle, struct, sys, types, zipfile, os
        out = sys.argv[1]

        def ensure_module(module):
            parts = module.split('.')
            for i in range(1, len(parts) + 1):
                sys.modules.setdefault('.'.join(parts[:i]), types.ModuleType('.'.join(parts[:i])))
            return sys.modules[module]

        def stand_in(module, name, base=object):
            mod = ensure_module(module)
            cls = type(name, (base,), {})
            cls.__module__, cls.__qualname__ = module, name
            setattr(mod, name, cls)
            return cls

        def stand_in_function(module, name):
            mod = ensure_module(module)
            def f(*args): raise RuntimeError('never called')
            f.__module__, f.__qualname__, f.__name__ = module, name, name
            setattr(mod, name, f)
            return f

        storage_classes = {n: stand_in('torch', n) for n in ('FloatStorage', 'HalfStorage', 'LongStorage', 'DoubleStorage', 'ComplexFloatStorage')}
        rebuild_tensor_v2 = stand_in_function('torch._utils', '_rebuild_tensor_v2')
        rebuild_parameter = stand_in_function('torch._utils', '_rebuild_parameter')
        device = stand_in_function('torch', 'device')

        class Device:
            def __reduce_ex__(self, protocol): return (device, ('cpu',))

        class Storage:
            def __init__(self, kind, fmt, values):
                self.kind, self.numel = kind, len(values)
                self.data = struct.pack('<%d%s' % (len(values), fmt), *values)

        class Tensor:
            def __init__(self, storage, offset, size, stride): self.args = (storage, offset, tuple(size), tuple(stride))
            def __reduce_ex__(self, protocol):
                return (rebuild_tensor_v2, self.args + (False, collections.OrderedDict()))

        class Parameter(Tensor):
            def __reduce_ex__(self, protocol):
                return (rebuild_parameter, (Tensor(*self.args), True, collections.OrderedDict()))

        Model = stand_in('models.yolo', 'Model')
        Sequential = stand_in('torch.nn.modules.container', 'Sequential')
        Conv2d = stand_in('torch.nn.modules.conv', 'Conv2d')

        def module(cls, parameters=(), buffers=(), children=(), non_persistent=(), **attributes):
            m = cls()
            m.__dict__.update({'training': False, '_parameters': collections.OrderedDict(parameters),
                               '_buffers': collections.OrderedDict(buffers), '_non_persistent_buffers_set': set(non_persistent),
                               '_forward_hooks': collections.OrderedDict(), '_modules': collections.OrderedDict(children)})
            m.__dict__.update(attributes)
            return m

        def save(name, obj, byteorder=None):
            storages = []  # numbered in order of first reference, like torch.save
            class Pickler(pickle.Pickler):
                def persistent_id(self, obj):
                    if not isinstance(obj, Storage):
                        return None
                    if not any(s is obj for s in storages):
                        storages.append(obj)
                    key = next(i for i, s in enumerate(storages) if s is obj)
                    return ('storage', storage_classes[obj.kind], str(key), 'cpu', obj.numel)
            buffer = __import__('io').BytesIO()
            Pickler(buffer, protocol=2).dump(obj)
            root = os.path.splitext(name)[0]
            with zipfile.ZipFile(os.path.join(out, name), 'w', zipfile.ZIP_STORED) as z:
                z.writestr(root + '/data.pkl', buffer.getvalue())
                if byteorder: z.writestr(root + '/byteorder', byteorder)
                for i, s in enumerate(storages): z.writestr(root + '/data/' + str(i), s.data)
                z.writestr(root + '/version', '3\n')

        # One float storage 0..11 viewed in several ways, a half storage, an int64 counter.
        floats = Storage('FloatStorage', 'f', [float(i) for i in range(12)])
        halves = Storage('HalfStorage', 'e', [0.1, -2.5, 65504.0, 1e-4])
        counter = Storage('LongStorage', 'q', [123456789012])
        scratch = Storage('DoubleStorage', 'd', [1.0])

        def yolo_like(weight_storage):
            conv = module(Conv2d,
                          parameters=[('weight', Parameter(weight_storage, 0, (3, 4), (4, 1))), ('bias', None)],
                          buffers=[('num_batches_tracked', Tensor(counter, 0, (), ())), ('grid', Tensor(scratch, 0, (1,), (1,)))],
                          non_persistent=['grid'])
            views = module(Conv2d, parameters=[('transposed', Parameter(floats, 0, (4, 3), (1, 4))),
                                               ('every_other', Parameter(floats, 2, (5,), (2,)))])
            body = module(Sequential, children=[('0', conv), ('1', None), ('2', views)])
            return module(Model, children=[('model', body)],
                          yaml={'nc': 2, 'anchors': [[10, 13, 16, 30]], 'backbone': [[-1, 1, 'Conv', [32, 3, 1]]], 'head': []},
                          names=['cat', 'dog'], pruning_cfg=[[[1], [0], []], [[2], [0], [16, 16]]],
                          stride=Tensor(scratch, 0, (1,), (1,)), device=Device())

        half_weights = Storage('HalfStorage', 'e', [float(i) / 4 for i in range(12)])
        save('ema.pt', {'epoch': 7, 'best_fitness': 0.25, 'model': yolo_like(floats), 'ema': yolo_like(half_weights),
                        'updates': 99, 'optimizer': None, 'save_dir': __import__('pathlib').PurePosixPath('runs/train/exp')},
             byteorder='little')

        # A bare state_dict of 2500 entries (three pickle batches) viewing one storage, with the _metadata that
        # Module.state_dict() attaches (pickled via BUILD).
        many = Storage('FloatStorage', 'f', [float(i) for i in range(2500)])
        sd = collections.OrderedDict(('layer.%04d' % i, Tensor(many, i, (1,), (1,))) for i in range(2500))
        sd._metadata = collections.OrderedDict([('', {'version': 1})])
        save('state_dict.pt', sd)
        save('wrapped.pt', {'state_dict': collections.OrderedDict([('w', Tensor(halves, 1, (2,), (1,)))]), 'epoch': 3})

        # Inputs that must be rejected.
        save('list.pt', [1, 2, 3])
        save('complex.pt', {'w': Tensor(Storage('ComplexFloatStorage', 'f', [1.0, 2.0]), 0, (1,), (1,))})
        save('big_endian.pt', collections.OrderedDict([('w', Tensor(floats, 0, (1,), (1,)))]), byteorder='big')
        save('out_of_bounds.pt', collections.OrderedDict([('w', Tensor(floats, 10, (4,), (1,)))]))
        print('ok')
        """;
}
