namespace PruneCluster.Tests.Checkpoints;

/// <summary>
/// Python run with real PyTorch (1.13) against the files this tool writes. YOLOv7's code cannot be committed, so
/// <see cref="Stubs"/> is a test fixture standing for <c>models.yolo</c> / <c>models.common</c>: one empty
/// <c>nn.Module</c> subclass per YOLOv7 class name (plus the <c>fuseforward</c> method name a fused Conv refers to),
/// so unpickling fails on any global YOLOv7 would not resolve.
/// </summary>
public static class Yolov7TorchScripts
{
    public const string Stubs = """
        import sys, types, torch, torch.nn as nn
        def _module(name):
            m = types.ModuleType(name); sys.modules[name] = m; return m
        models = _module('models'); common = _module('models.common'); yolo = _module('models.yolo')
        models.common, models.yolo = common, yolo
        def fuseforward(self, x): return x
        def _stub(mod, name):
            cls = type(name, (nn.Module,), {'fuseforward': fuseforward})
            cls.__module__ = mod.__name__; setattr(mod, name, cls)
        for n in ('Conv', 'Concat', 'MP', 'SP', 'SPPCSPC', 'RepConv', 'DownC', 'ReOrg', 'Shortcut', 'ImplicitA', 'ImplicitM'):
            _stub(common, n)
        for n in ('Model', 'Detect', 'IDetect', 'IAuxDetect'):
            _stub(yolo, n)

        """;

    /// <summary>
    /// argv: a whole-model file and the same model in the state-dict format. Loads the first with plain
    /// <c>torch.load</c>, the second with <c>weights_only=True</c>, and prints what the test compares.
    /// </summary>
    public const string CompareWithStateDict = Stubs + """
        whole = torch.load(sys.argv[1])
        flat = torch.load(sys.argv[2], weights_only=True)
        model, sd = whole['model'], flat['state_dict']
        print('TOP', ','.join(k for k in whole if k not in ('pruning_history', 'conv_out_channels', 'folded_implicits')))
        print('CLASS', type(model).__module__ + '.' + type(model).__name__)
        msd = model.state_dict()
        print('SAME_KEYS', sorted(msd) == sorted(sd))
        folded = whole.get('folded_implicits', {})  # a folded head's real implicits; the model holds identities
        print('FOLDED_EXACT', all(torch.equal(torch.tensor(v, dtype=torch.float64).float().view_as(sd[k]), sd[k]) for k, v in folded.items()))
        bad = [k for k, v in msd.items() if k not in folded and v.shape != sd[k].shape
               or v.dtype != (torch.float16 if sd[k].is_floating_point() else sd[k].dtype)
               or k not in folded and not torch.equal(v, sd[k].half() if sd[k].is_floating_point() else sd[k])]
        print('DIFFERENT', ','.join(bad[:5]))
        print('STRIDE', model.stride.tolist(), model.model[-1].stride is model.stride)
        print('NAMES', model.names == flat['names'], 'NC', model.nc)
        print('DEPTH', float(flat['model_yaml']['depth_multiple']))
        head = model.model[-1]
        print('HEAD', type(head).__name__, head.nl, head.na, head.no, tuple(head.anchors.shape), len(head.grid))
        fused = [n for n, m in model.named_modules() if 'forward' in m.__dict__]
        print('FUSEFORWARD', len(fused), all(m.forward.__name__ == 'fuseforward' for n, m in model.named_modules() if 'forward' in m.__dict__))
        reps = [m for m in model.modules() if type(m).__name__ == 'RepConv']
        print('REPCONV', len(reps), sum(m.deploy and hasattr(m, 'rbr_reparam') for m in reps))
        ia = [m.implicit for m in model.modules() if type(m).__name__ == 'ImplicitA']
        im = [m.implicit for m in model.modules() if type(m).__name__ == 'ImplicitM']
        print('IDENTITY_IMPLICITS', len(ia) > 0 and all(bool((t == 0).all()) for t in ia) and all(bool((t == 1).all()) for t in im))
        print('YAML_CONV0', next(row[3][0] for row in model.yaml['backbone'] if row[2] == 'Conv'), model.yaml['ch'])
        print('PRUNING_CFG', len(getattr(model, 'pruning_cfg', [])))
        """;

    /// <summary>argv: files; prints every module path with its class, <c>__dict__</c> keys and tensor shapes/dtypes.</summary>
    public const string Structure = Stubs + """
        ignored = {'training', 'yaml_file', 'nc', 'hyp', 'gr', 'class_weights', 'np'}
        def desc(v):
            if isinstance(v, torch.Tensor): return 'T%s%s' % (tuple(v.shape), v.dtype)
            if isinstance(v, (list, tuple)): return type(v).__name__ + '[' + ','.join(desc(x) for x in v) + ']'
            if isinstance(v, nn.Module): return 'module'
            if callable(v): return 'method ' + v.__name__
            return repr(v)
        for path in sys.argv[1:]:
            ck = torch.load(path)
            model = ck['ema'] if ck.get('ema') else ck['model']
            for name, m in model.named_modules():
                print(name, type(m).__module__ + '.' + type(m).__name__, ','.join(k for k in m.__dict__ if k not in ignored))
                for k, v in m.__dict__.items():
                    if k in ('_parameters', '_buffers'):
                        for pk, pv in v.items(): print(' ', name, pk, desc(pv))
                    elif k == 'grid':  # a cache forward rebuilds for each image size
                        print(' ', name, k, 'list of %d' % len(v))
                    elif k not in ignored and not k.startswith('_') and k not in ('yaml', 'pruning_cfg'):
                        print(' ', name, k, desc(v))
            for k, v in model.state_dict().items(): print(' VALUE', k, float(v.double().sum()))
            print('=====')
        """;

    /// <summary>argv: output path. Saves another project's model (a class YOLOv7 does not have) the way torch.save does.</summary>
    public const string ForeignModel = """
        import sys, types, torch, torch.nn as nn
        for name in ('ultralytics', 'ultralytics.nn', 'ultralytics.nn.tasks'): sys.modules[name] = types.ModuleType(name)
        mod = sys.modules['ultralytics.nn.tasks']
        DetectionModel = type('DetectionModel', (nn.Module,), {}); DetectionModel.__module__ = 'ultralytics.nn.tasks'
        mod.DetectionModel = DetectionModel
        m = DetectionModel(); m.conv = nn.Conv2d(3, 16, 3); m.yaml = {'nc': 80, 'backbone': [], 'head': []}
        torch.save({'model': m, 'epoch': -1}, sys.argv[1])
        """;
}
