using PruneCluster.Engine.Models.Modules;

namespace PruneCluster.Engine.Models;

/// <summary>
/// yolov7 <c>parse_model</c> in C#: resolves <c>from</c>, applies depth and width multiples
/// (<c>make_divisible(c·w, 8)</c>), sums Concat channels and hands the head its input channel list.
/// When <c>shapeOf</c> is given (a checkpoint's state_dict shapes), every conv's output channel count and
/// fused/unfused layout come from the tensors, so checkpoints pruned by the paper's scripts (whose yaml still
/// describes the unpruned network) build with their real sizes.
/// </summary>
public static class ModelBuilder
{
    public static YoloModel Build(YoloCfg cfg, Func<string, long[]?>? shapeOf = null)
    {
        shapeOf ??= _ => null;
        var no = cfg.AnchorsPerLevel * (cfg.Nc + 5);
        var channels = new List<long>();
        var strides = new List<double>();
        var layers = new List<YoloLayer>();
        long parameters = 0;
        try
        {
            foreach (var spec in cfg.Layers)
            {
                var where = $"{cfg.Source}: layer {spec.Index} ({spec.Module})";
                var module = spec.Module.StartsWith("nn.", StringComparison.Ordinal) ? spec.Module[3..] : spec.Module.Replace("models.common.", "").Replace("models.yolo.", "");
                var from = spec.Index == 0 ? [-1] : spec.ResolvedFrom;
                long In(int k) => from[k] == -1 ? cfg.InputChannels : channels[from[k]];
                double InStride(int k) => from[k] == -1 ? 1 : strides[from[k]];
                var args = spec.Args.Select(a => Evaluate(a, cfg)).ToList();
                object? Arg(int k, object? fallback) => k < args.Count ? args[k] : fallback;
                long Long(int k, long fallback, long min, long max, string what) => CfgLimits.Integer(Arg(k, fallback) ?? fallback, min, max, where, what);
                long Stride(int k, long fallback, string what) => CfgLimits.StrideFactor(Arg(k, fallback) ?? fallback, where, what);
                long Width(long c2) => c2 == no ? c2 : MakeDivisible(c2 * cfg.WidthMultiple, 8);
                long C2() => CheckedChannels(Width(Long(0, 0, 1, CfgLimits.MaxChannels, "the output channel count")), where);
                var prefix = $"model.{spec.Index}";
                bool Fused(string convPath) => shapeOf($"{convPath}.bn.weight") == null && shapeOf($"{convPath}.conv.bias") != null;
                long Out(string convPath, long fallback) => OutChannels(shapeOf($"{convPath}.conv.weight"), fallback, convPath, cfg.Source);
                void Budget(long weights)
                {
                    parameters += weights;
                    if (parameters > CfgLimits.MaxParameters)
                        throw new ModelConfigException($"{where}: the cfg asks for over {CfgLimits.MaxParameters:N0} parameters (width_multiple {cfg.WidthMultiple}); fix the cfg");
                }
                ModelConfigException ArgCount(int max) => new($"{where}: {args.Count} arguments {CfgValue.Describe(spec.Args)}, at most {max} expected; fix the cfg");
                CheckInputs(spec, module, from, strides, where);

                YoloLayer layer;
                long c2;
                switch (module)
                {
                    case "Conv":
                    {
                        if (args.Count > 6)
                            throw ArgCount(6);
                        var act = Activation.Parse(Arg(5, true), where);
                        var k = Long(1, 1, 1, CfgLimits.MaxKernel, "the kernel size");
                        var s = Stride(2, 1, "the stride");
                        var g = Long(4, 1, 1, CfgLimits.MaxChannels, "groups");
                        // Padding other than k/2 (or an even kernel) changes the output size, so levels would no
                        // longer line up with their strides.
                        if (k % 2 == 0 || Arg(3, null) is { } p && CfgLimits.Integer(p, 0, CfgLimits.MaxKernel, where, "the padding") != k / 2)
                            throw new ModelConfigException($"{where}: kernel {k} with padding {CfgValue.Describe(Arg(3, null))}; a YOLO conv has an odd kernel and padding None (k/2); fix the cfg");
                        var c1 = In(0);
                        var outputs = Out(prefix, C2());
                        CheckGroups(c1, outputs, g, where);
                        Budget(c1 * outputs / g * k * k);
                        var conv = new Conv(c1, outputs, k, s, k / 2, g, act(), Fused(prefix));
                        layer = conv;
                        c2 = conv.OutChannels;
                        break;
                    }
                    case "RepConv":
                    {
                        if (args.Count > 6)
                            throw ArgCount(6);
                        var act = Activation.Parse(Arg(5, true), where);
                        var fused = shapeOf($"{prefix}.rbr_reparam.weight") != null;
                        var weight = fused ? $"{prefix}.rbr_reparam" : $"{prefix}.rbr_dense.0";
                        var outputs = OutChannels(shapeOf($"{weight}.weight"), C2(), weight, cfg.Source, asConv: false);
                        var g = Long(4, 1, 1, CfgLimits.MaxChannels, "groups");
                        CheckGroups(In(0), outputs, g, where);
                        Budget(In(0) * outputs / g * 10);
                        var rep = new RepConv(In(0), outputs, Long(1, 3, 3, 3, "the kernel size (RepConv is 3x3)"), Stride(2, 1, "the stride"), g, act(), fused);
                        layer = rep;
                        c2 = rep.OutChannels;
                        break;
                    }
                    case "SPPCSPC":
                    {
                        if (args.Count > 1)
                            throw ArgCount(1);
                        var fused = Fused($"{prefix}.cv1");
                        var width = C2();
                        Budget(16 * Math.Max(In(0), width) * width);
                        var block = new SPPCSPC(In(0), width, (cv, fallback) => Out($"{prefix}.{cv}", fallback), () => Activation.Parse(true, where)(), fused);
                        layer = block;
                        c2 = block.ConvUnits.Last().Unit.OutChannels;
                        break;
                    }
                    case "DownC":
                    {
                        if (args.Count > 3)
                            throw ArgCount(3);
                        var fused = Fused($"{prefix}.cv1");
                        var width = C2();
                        if (width < 2)
                            throw new ModelConfigException($"{where}: DownC needs at least 2 output channels; fix the cfg");
                        Budget(8 * Math.Max(In(0), width) * width);
                        var block = new DownC(In(0), width, Stride(2, 2, "the pooling size"), (cv, fallback) => Out($"{prefix}.{cv}", fallback), () => Activation.Parse(true, where)(), fused);
                        layer = block;
                        var units = block.ConvUnits.ToList();
                        c2 = units[1].Unit.OutChannels + units[2].Unit.OutChannels;
                        break;
                    }
                    case "Concat":
                        if (args.Count > 1 || Long(0, 1, 1, 1, "the dimension (Concat joins channels, dimension 1)") != 1)
                            throw ArgCount(1);
                        layer = new Concat();
                        c2 = from.Select((_, k) => In(k)).Sum();
                        break;
                    case "Shortcut":
                        if (args.Count > 1)
                            throw ArgCount(1);
                        if (from.Select((_, k) => In(k)).Distinct().Count() != 1)
                            throw new ModelConfigException($"{where}: Shortcut adds inputs of {string.Join(", ", from.Select((_, k) => In(k)))} channels; they must be equal; fix the cfg");
                        layer = new Shortcut();
                        c2 = In(0);
                        break;
                    case "MP":
                        if (args.Count > 1)
                            throw ArgCount(1);
                        layer = PassThroughLayer.MP(Stride(0, 2, "the pooling size"));
                        c2 = In(0);
                        break;
                    case "SP":
                    {
                        if (args.Count > 2)
                            throw ArgCount(2);
                        var k = Long(0, 3, 1, CfgLimits.MaxKernel, "the pooling size");
                        if (k % 2 == 0)
                            throw new ModelConfigException($"{where}: SP pools with an odd size (same padding), got {k}; fix the cfg");
                        layer = PassThroughLayer.SP(k, Stride(1, 1, "the stride"));
                        c2 = In(0);
                        break;
                    }
                    case "Upsample":
                        if (args.Count > 3 || args.Count > 2 && args[2] is not "nearest")
                            throw new ModelConfigException($"{where}: arguments {CfgValue.Describe(spec.Args)}; expected [None, scale, 'nearest']; fix the cfg");
                        layer = PassThroughLayer.Upsample(Stride(1, 2, "the scale factor"));
                        c2 = In(0);
                        break;
                    case "ReOrg":
                        if (args.Count > 0)
                            throw ArgCount(0);
                        layer = new ReOrg();
                        c2 = 4 * In(0);
                        break;
                    case "Detect" or "IDetect" or "IAuxDetect":
                    {
                        if (spec.Index != cfg.Layers.Count - 1)
                            throw new ModelConfigException($"{where}: the detection head must be the last layer; fix the cfg");
                        var levels = cfg.Anchors.Count * (module == "IAuxDetect" ? 2 : 1);
                        if (from.Count != levels)
                            throw new ModelConfigException($"{where}: the head reads {from.Count} layers but the cfg's {cfg.Anchors.Count} anchor rows need {levels}; fix the cfg");
                        var headInputs = from.Select((_, k) => In(k)).ToList();
                        var headStrides = from.Select((_, k) => InStride(k)).ToList();
                        var detect = new DetectHead(module, cfg.Nc, cfg.Anchors, headInputs, headStrides.Take(cfg.Anchors.Count).ToList());
                        var expected = cfg.AnchorsPerLevel * (cfg.Nc + 5);
                        if (shapeOf($"{prefix}.m.0.weight") is { } headShape && headShape.FirstOrDefault() != expected)
                            throw new ModelConfigException(
                                $"{cfg.Source}: the detection head has {headShape.FirstOrDefault()} outputs per cell but nc={cfg.Nc} needs {expected}; the cfg's nc does not match the weights");
                        layer = detect;
                        c2 = 0;
                        break;
                    }
                    default:
                        throw new ModelConfigException($"{where}: module '{spec.Module}' is not supported; supported: Conv, RepConv, SPPCSPC, DownC, Concat, Shortcut, MP, SP, nn.Upsample, ReOrg, Detect, IDetect, IAuxDetect");
                }
                layers.Add(layer);
                channels.Add(c2 == 0 || layer is DetectHead ? c2 : CheckedChannels(c2, where));
                var stride = InStride(0) * layer.StrideFactor;
                if (stride < 1 || stride > CfgLimits.MaxStride)
                    throw new ModelConfigException($"{where}: the layer's total stride would be {stride}, outside 1..{CfgLimits.MaxStride}; fix the cfg");
                strides.Add(stride);
            }
            if (layers[^1] is not DetectHead head)
                throw new ModelConfigException($"{cfg.Source}: the last layer must be Detect, IDetect or IAuxDetect");
            // FLOPs are counted on a probe image of the head's largest stride; a deeper layer would shrink to nothing.
            if (strides.Max() > head.Strides.Max())
                throw new ModelConfigException($"{cfg.Source}: layer {strides.IndexOf(strides.Max())} has stride {strides.Max()}, above the detection head's largest stride {head.Strides.Max()}; fix the cfg");
        }
        catch
        {
            foreach (var built in layers)
                built.Dispose();
            throw;
        }
        var model = new YoloModel(cfg, layers, strides);
        if (model.IsFused)
            model.Head.MarkImplicitFolded();
        return model;
    }

    // What each kind of layer may read: one input, or several of the same stride (and, for a head, one per level).
    private static void CheckInputs(LayerSpec spec, string module, IReadOnlyList<int> from, List<double> strides, string where)
    {
        var joins = module is "Concat" or "Shortcut" or "Detect" or "IDetect" or "IAuxDetect";
        if (!joins && from.Count != 1)
            throw new ModelConfigException($"{where}: reads {from.Count} layers but takes one input; fix the cfg");
        if (module is "Concat" or "Shortcut" && from.Select(f => f == -1 ? 1 : strides[f]).Distinct().Count() > 1)
            throw new ModelConfigException($"{where}: joins layers {string.Join(", ", from)} of strides {string.Join(", ", from.Select(f => f == -1 ? 1 : strides[f]))}; they must have the same stride; fix the cfg");
        if (spec.Index > 0 && from.Any(f => f < 0))
            throw new ModelConfigException($"{where}: reads the image, which only layer 0 may do; fix the cfg");
    }

    private static long CheckedChannels(long c, string where) =>
        c is >= 1 and <= CfgLimits.MaxChannels
            ? c
            : throw new ModelConfigException($"{where}: {c} channels, outside 1..{CfgLimits.MaxChannels}; fix the cfg or width_multiple");

    private static void CheckGroups(long c1, long c2, long g, string where)
    {
        if (c1 % g != 0 || c2 % g != 0)
            throw new ModelConfigException($"{where}: {g} groups do not divide {c1} input and {c2} output channels; fix the cfg");
    }

    // A conv's output channels from the checkpoint's weight (when there is one): a 4-d [out, in/groups, k, k] tensor.
    private static long OutChannels(long[]? shape, long fallback, string convPath, string source, bool asConv = true)
    {
        if (shape == null)
            return fallback;
        if (shape.Length != 4 || shape.Any(d => d < 1) || shape[0] > CfgLimits.MaxChannels)
            throw new ModelConfigException($"{source}: {convPath}{(asConv ? ".conv" : "")}.weight has shape [{string.Join(",", shape)}], not a conv weight; the file is damaged or --cfg is wrong");
        return shape[0];
    }

    /// <summary>
    /// An independent copy with the same (possibly pruned or fused) architecture and weights: the "copy the model"
    /// of naive per-layer evaluation, and how a pruning can be tried without touching the original.
    /// </summary>
    public static YoloModel Copy(YoloModel source)
    {
        var copy = FromWeights(source.Cfg, StateDict.Ordered(source).ToDictionary(kv => kv.Key, kv => kv.Value), source.Cfg.Source);
        if (source.Head.IsFused)
            copy.Head.MarkImplicitFolded();
        copy.train(source.training);
        copy.StoredDtype = source.StoredDtype;
        return copy;
    }

    /// <summary>
    /// The architecture <paramref name="cfg"/> with every channel count taken from <paramref name="tensors"/>' shapes
    /// (so pruned weights build a pruned model), holding those weights; the model is disposed if they do not fit.
    /// </summary>
    public static YoloModel FromWeights(YoloCfg cfg, IReadOnlyDictionary<string, TorchSharp.torch.Tensor> tensors, string source)
    {
        var model = Build(cfg, key => tensors.TryGetValue(key, out var t) ? t.shape : null);
        try
        {
            CopyWeights(model, tensors, source);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Copies a state_dict into a model of matching architecture; mismatches are one-line errors.</summary>
    public static void CopyWeights(YoloModel model, IReadOnlyDictionary<string, TorchSharp.torch.Tensor> tensors, string source)
    {
        var targets = StateDict.Ordered(model);
        var missing = targets.Select(t => t.Key).Where(k => !tensors.ContainsKey(k)).ToList();
        var unexpected = tensors.Keys.Except(targets.Select(t => t.Key)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new ModelConfigException(
                $"{source}: weights do not fit the architecture ({missing.Count} missing, e.g. {string.Join(", ", missing.Take(3))}; {unexpected.Count} unexpected, e.g. {string.Join(", ", unexpected.Take(3))}); check --cfg");
        using var _ = TorchSharp.torch.no_grad();
        foreach (var (key, target) in targets)
        {
            var tensor = tensors[key];
            if (!tensor.shape.SequenceEqual(target.shape))
                throw new ModelConfigException($"{source}: {key} has shape [{string.Join(",", tensor.shape)}] but the architecture needs [{string.Join(",", target.shape)}]; check --cfg");
            // The converted temporary must belong to a scope: TorchSharp hands copy_ only its native handle, so an
            // unowned temporary can be finalized (freed) by the GC while copy_ still reads it. That crashed the test
            // host once in five runs (SIGSEGV in copy_'s retain of its source).
            using var scope = TorchSharp.torch.NewDisposeScope();
            target.copy_(tensor.to(target.dtype).to(target.device));
        }
    }

    /// <summary>yolov7 utils.general.make_divisible: the smallest multiple of <paramref name="divisor"/> ≥ x.</summary>
    public static long MakeDivisible(double x, long divisor) => (long)Math.Ceiling(x / divisor) * divisor;

    // parse_model evals string arguments: names resolve against the cfg, everything else stays a string.
    private static object? Evaluate(object? arg, YoloCfg cfg) => arg switch
    {
        "None" => null,
        "nc" => (long)cfg.Nc,
        "anchors" => cfg.Anchors,
        "True" => true,
        "False" => false,
        _ => arg,
    };
}
