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
    private static readonly string[] ConvLike = ["Conv", "RepConv", "SPPCSPC", "DownC"];

    public static YoloModel Build(YoloCfg cfg, Func<string, long[]?>? shapeOf = null)
    {
        shapeOf ??= _ => null;
        var no = cfg.AnchorsPerLevel * (cfg.Nc + 5);
        var channels = new List<long>();
        var strides = new List<double>();
        var layers = new List<YoloLayer>();
        foreach (var spec in cfg.Layers)
        {
            var where = $"{cfg.Source}: layer {spec.Index} ({spec.Module})";
            var module = spec.Module.StartsWith("nn.", StringComparison.Ordinal) ? spec.Module[3..] : spec.Module.Replace("models.common.", "").Replace("models.yolo.", "");
            if (spec.Number != 1 && ConvLike.Contains(module) is false)
                throw new ModelConfigException($"{where}: number {spec.Number} is not supported (only 1)");
            var from = spec.Index == 0 ? [-1] : spec.ResolvedFrom;
            long In(int k) => from[k] == -1 ? cfg.InputChannels : channels[from[k]];
            double InStride(int k) => from[k] == -1 ? 1 : strides[from[k]];
            var args = spec.Args.Select(a => Evaluate(a, cfg)).ToList();
            object? Arg(int k, object? fallback) => k < args.Count ? args[k] : fallback;
            long Long(int k, long fallback) => Arg(k, fallback) is { } v ? CfgValue.ToLong(v, $"{where} argument {k}") : fallback;
            long Width(long c2) => c2 == no ? c2 : MakeDivisible(c2 * cfg.WidthMultiple, 8);
            var prefix = $"model.{spec.Index}";
            bool Fused(string convPath) => shapeOf($"{convPath}.bn.weight") == null && shapeOf($"{convPath}.conv.bias") != null;
            long Out(string convPath, long fallback) => shapeOf($"{convPath}.conv.weight") is { } s ? s[0] : fallback;

            YoloLayer layer;
            long c2;
            switch (module)
            {
                case "Conv":
                {
                    var act = Activation.Parse(Arg(5, true), where);
                    var conv = new Conv(In(0), Out(prefix, Width(Long(0, 0))), Long(1, 1), Long(2, 1), Arg(3, null) is null ? null : Long(3, 0), Long(4, 1), act(), Fused(prefix));
                    layer = conv;
                    c2 = conv.OutChannels;
                    break;
                }
                case "RepConv":
                {
                    var act = Activation.Parse(Arg(5, true), where);
                    var fused = shapeOf($"{prefix}.rbr_reparam.weight") != null;
                    var shape = shapeOf(fused ? $"{prefix}.rbr_reparam.weight" : $"{prefix}.rbr_dense.0.weight");
                    var rep = new RepConv(In(0), shape?[0] ?? Width(Long(0, 0)), Long(1, 3), Long(2, 1), Long(4, 1), act(), fused);
                    layer = rep;
                    c2 = rep.OutChannels;
                    break;
                }
                case "SPPCSPC":
                {
                    var fused = Fused($"{prefix}.cv1");
                    var block = new SPPCSPC(In(0), Width(Long(0, 0)), (cv, fallback) => Out($"{prefix}.{cv}", fallback), () => Activation.Parse(true, where)(), fused);
                    layer = block;
                    c2 = block.ConvUnits.Last().Unit.OutChannels;
                    break;
                }
                case "DownC":
                {
                    var fused = Fused($"{prefix}.cv1");
                    var block = new DownC(In(0), Width(Long(0, 0)), Long(2, 2), (cv, fallback) => Out($"{prefix}.{cv}", fallback), () => Activation.Parse(true, where)(), fused);
                    layer = block;
                    var units = block.ConvUnits.ToList();
                    c2 = units[1].Unit.OutChannels + units[2].Unit.OutChannels;
                    break;
                }
                case "Concat":
                    layer = new Concat();
                    c2 = from.Select((_, k) => In(k)).Sum();
                    break;
                case "Shortcut":
                    layer = new Shortcut();
                    c2 = In(0);
                    break;
                case "MP":
                    layer = PassThroughLayer.MP(Long(0, 2));
                    c2 = In(0);
                    break;
                case "SP":
                    layer = PassThroughLayer.SP(Long(0, 3), Long(1, 1));
                    c2 = In(0);
                    break;
                case "Upsample":
                    layer = PassThroughLayer.Upsample(CfgValue.ToDouble(Arg(1, 2L), $"{where} scale"));
                    c2 = In(0);
                    break;
                case "ReOrg":
                    layer = new ReOrg();
                    c2 = 4 * In(0);
                    break;
                case "Detect" or "IDetect" or "IAuxDetect":
                {
                    var headInputs = from.Select((_, k) => In(k)).ToList();
                    var headStrides = from.Select((_, k) => InStride(k)).ToList();
                    var head = new DetectHead(module, cfg.Nc, cfg.Anchors, headInputs, headStrides.Take(cfg.Anchors.Count).ToList());
                    var expected = cfg.AnchorsPerLevel * (cfg.Nc + 5);
                    if (shapeOf($"{prefix}.m.0.weight") is { } headShape && headShape[0] != expected)
                        throw new ModelConfigException(
                            $"{cfg.Source}: the detection head has {headShape[0]} outputs per cell but nc={cfg.Nc} needs {expected}; the cfg's nc does not match the weights");
                    layer = head;
                    c2 = 0;
                    break;
                }
                default:
                    throw new ModelConfigException($"{where}: module '{spec.Module}' is not supported; supported: Conv, RepConv, SPPCSPC, DownC, Concat, Shortcut, MP, SP, nn.Upsample, ReOrg, Detect, IDetect, IAuxDetect");
            }
            layers.Add(layer);
            channels.Add(c2);
            strides.Add(InStride(0) * layer.StrideFactor);
        }
        var built = new YoloModel(cfg, layers, strides);
        if (built.IsFused)
            built.Head.MarkImplicitFolded();
        return built;
    }

    /// <summary>
    /// An independent copy with the same (possibly pruned or fused) architecture and weights: the "copy the model"
    /// of naive per-layer evaluation, and how a pruning can be tried without touching the original.
    /// </summary>
    public static YoloModel Copy(YoloModel source)
    {
        var tensors = StateDict.Ordered(source).ToDictionary(kv => kv.Key, kv => kv.Value);
        var copy = Build(source.Cfg, key => tensors.TryGetValue(key, out var t) ? t.shape : null);
        CopyWeights(copy, tensors, source.Cfg.Source);
        if (source.Head.IsFused)
            copy.Head.MarkImplicitFolded();
        copy.train(source.training);
        copy.StoredDtype = source.StoredDtype;
        return copy;
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
