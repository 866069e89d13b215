using System.Globalization;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Models.Modules;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Models;

/// <summary>
/// A <see cref="YoloModel"/> as the Python object YOLOv7 pickles into its checkpoints: a <c>models.yolo.Model</c>
/// whose <c>model</c> is an <c>nn.Sequential</c> of <c>models.common</c> / <c>torch.nn</c> modules, each with the
/// <c>__dict__</c> torch 1.13 gives it (hook dicts, <c>training</c>, <c>_parameters</c>, <c>_buffers</c>,
/// <c>_modules</c> in YOLOv7's registration order, then the module's own attributes and parse_model's <c>i</c>,
/// <c>f</c>, <c>type</c>, <c>np</c>). Floating parameters and buffers are stored in <paramref name="storedAs"/>
/// (float16, as YOLOv7 saves); the converted copies belong to the caller's dispose scope.
/// A fused Conv keeps <c>forward = fuseforward</c> as YOLOv7's fuse() leaves it; a head whose implicit layers are
/// folded into its convs stores them as identities (ImplicitA 0, ImplicitM 1), so YOLOv7's forward and a second
/// fuse() both leave the outputs as they are.
/// </summary>
internal sealed class Yolov7ModelObject(ScalarType storedAs)
{
    private const string Common = "models.common", Yolo = "models.yolo";

    public PyInstance Build(YoloModel model, Yolov7Yaml yaml, IReadOnlyList<string> names, object? pruningCfg, string? yamlFile)
    {
        var stride = new PyTensor(tensor(model.Head.Strides.Select(s => (float)s).ToArray()));
        var layers = model.Layers.Select((layer, i) => new KeyValuePair<string, object?>(
            i.ToString(CultureInfo.InvariantCulture), Layer(layer, model.Cfg.Layers[i], stride))).ToList();
        var sequential = Module("torch.nn.modules.container", "Sequential", model.training, [], [], layers);
        var root = Module(Yolo, "Model", model.training, [], [], [new("model", sequential)]).Set("traced", false);
        if (yamlFile != null)
            root.Set("yaml_file", yamlFile);
        root.Set("yaml", yaml.Yaml)
            .Set("save", SaveList(model.Cfg))
            .Set("names", names.ToList())
            .Set("stride", stride)
            .Set("nc", (long)model.Nc);
        if (pruningCfg != null)
            root.Set("pruning_cfg", pruningCfg);
        return root;
    }

    // parse_model: save.extend(x % i for x in ([f] if isinstance(f, int) else f) if x != -1), sorted.
    private static List<object?> SaveList(YoloCfg cfg) =>
        cfg.Layers.SelectMany(l => l.From.Where(f => f != -1).Select(f => l.Index == 0 ? f : ((f % l.Index) + l.Index) % l.Index))
            .Order().Select(x => (object?)(long)x).ToList();

    private PyInstance Layer(YoloLayer layer, LayerSpec spec, PyTensor stride)
    {
        PyInstance result;
        switch (layer)
        {
            case Conv conv:
                result = ConvModule(conv);
                break;
            case RepConv rep:
                result = RepConvModule(rep);
                break;
            case SPPCSPC block:
            {
                var children = Children(block);
                var pools = (ModuleList<nn.Module<Tensor, Tensor>>)children["m"];
                var ordered = new[] { "cv1", "cv2", "cv3", "cv4" }.Select(n => Child(n, ConvModule((Conv)children[n])))
                    .Append(Child("m", Container("ModuleList", pools, pools.Select((p, i) => Child(i, Pool((SeparableMaxPool2d)p))))))
                    .Concat(new[] { "cv5", "cv6", "cv7" }.Select(n => Child(n, ConvModule((Conv)children[n]))));
                result = Module(Common, "SPPCSPC", block.training, [], [], ordered.ToList());
                break;
            }
            case DownC down:
            {
                var children = Children(down);
                var ordered = new[] { "cv1", "cv2", "cv3" }.Select(n => Child(n, ConvModule((Conv)children[n])))
                    .Append(Child("mp", MaxPool(children["mp"].training, down.PoolSize, down.PoolSize, 0)));
                result = Module(Common, "DownC", down.training, [], [], ordered.ToList());
                break;
            }
            case Concat:
                result = Module(Common, "Concat", layer.training, [], [], []).Set("d", 1L);
                break;
            case Shortcut:
                result = Module(Common, "Shortcut", layer.training, [], [], []).Set("d", 0L);
                break;
            case ReOrg:
                result = Module(Common, "ReOrg", layer.training, [], [], []);
                break;
            case PassThroughLayer pass when pass.GetName() == "Upsample":
                result = Module("torch.nn.modules.upsampling", "Upsample", pass.training, [], [], [])
                    .Set("name", "Upsample").Set("size", null).Set("scale_factor", 1 / pass.StrideFactor).Set("mode", "nearest")
                    .Set("align_corners", null).Set("recompute_scale_factor", null);
                break;
            case PassThroughLayer pass:
            {
                var pool = MaxPool(Children(pass)["m"].training, pass.Kernel, (long)pass.StrideFactor, pass.Padding);
                result = Module(Common, pass.GetName(), pass.training, [], [], [Child("m", pool)]);
                break;
            }
            case DetectHead head:
                result = Head(head, stride);
                break;
            default:
                throw new NotSupportedException($"layer {spec.Index} ({layer.GetType().Name}) has no YOLOv7 class to write it as");
        }
        var type = $"{result.Module}.{result.Name}";
        var forward = result.Dict.FirstOrDefault(kv => kv.Key == "forward");
        if (forward.Key != null)
            result.Dict.Remove(forward); // YOLOv7's fuse() sets it after parse_model's attributes
        result.Set("i", (long)spec.Index)
            .Set("f", spec.FromIsList ? spec.From.Select(f => (object?)(long)f).ToList() : (long)spec.From[0])
            .Set("type", type)
            .Set("np", layer.parameters().Sum(p => p.numel()));
        if (forward.Key != null)
            result.Set(forward.Key, forward.Value);
        if (layer is DetectHead)
            result.Set("stride", stride); // Model.__init__ sets m.stride after parse_model
        return result;
    }

    private PyInstance ConvModule(Conv conv)
    {
        var children = Children(conv);
        var ordered = new List<KeyValuePair<string, object?>> { Child("conv", Convert(children["conv"])) };
        if (children.TryGetValue("bn", out var bn))
            ordered.Add(Child("bn", Convert(bn)));
        ordered.Add(Child("act", Convert(children["act"])));
        var result = Module(Common, "Conv", conv.training, [], [], ordered);
        if (conv.IsFused)
            result.Set("forward", new PyBoundMethod(result, "fuseforward"));
        return result;
    }

    // RepConv.__init__ registers act, then rbr_identity (None, a plain attribute, unless in == out and stride 1),
    // rbr_dense and rbr_1x1 — or, built with deploy=True (what a fused RepConv is), only rbr_reparam.
    private PyInstance RepConvModule(RepConv rep)
    {
        var children = Children(rep);
        var first = children.TryGetValue("rbr_reparam", out var reparam) ? (Conv2d)reparam : (Conv2d)((Sequential)children["rbr_dense"])[0];
        var ordered = new List<KeyValuePair<string, object?>> { Child("act", Convert(children["act"])) };
        var identity = children.GetValueOrDefault("rbr_identity");
        if (rep.IsFused)
        {
            ordered.Add(Child("rbr_reparam", Convert(reparam!)));
        }
        else
        {
            if (identity != null)
                ordered.Add(Child("rbr_identity", Convert(identity)));
            ordered.Add(Child("rbr_dense", Convert(children["rbr_dense"])));
            ordered.Add(Child("rbr_1x1", Convert(children["rbr_1x1"])));
        }
        var result = Module(Common, "RepConv", rep.training, [], [], ordered)
            .Set("deploy", rep.IsFused).Set("groups", first.groups).Set("in_channels", rep.InChannels).Set("out_channels", rep.OutChannels);
        if (!rep.IsFused && identity == null)
            result.Set("rbr_identity", null);
        return result;
    }

    private PyInstance Head(DetectHead head, PyTensor stride)
    {
        var children = Children(head);
        var buffers = head.named_buffers(recurse: false).Select(b => new KeyValuePair<string, object?>(b.name, Store(b.buffer))).ToList();
        var folded = head.IsFused && children.ContainsKey("ia");
        var ordered = new List<KeyValuePair<string, object?>> { Child("m", Convert(children["m"])) };
        if (children.TryGetValue("m2", out var m2))
            ordered.Add(Child("m2", Convert(m2)));
        foreach (var name in new[] { "ia", "im" }.Where(children.ContainsKey))
        {
            var list = (ModuleList<Implicit>)children[name];
            ordered.Add(Child(name, Container("ModuleList", list, list.Select((imp, i) => Child(i, ImplicitModule(imp, folded))))));
        }
        var grid = new PyTensor(zeros(1)); // [torch.zeros(1)] * nl: one tensor, nl references
        return Module(Yolo, head.Kind, head.training, [], buffers, ordered)
            .Set("nc", (long)head.Nc).Set("no", (long)head.Outputs).Set("nl", (long)head.Levels).Set("na", (long)head.AnchorsPerLevel)
            .Set("grid", Enumerable.Repeat<object?>(grid, head.Levels).ToList());
    }

    private PyInstance ImplicitModule(Implicit implicitLayer, bool folded)
    {
        var additive = implicitLayer.GetName() == "ImplicitA";
        var value = implicitLayer.Value;
        var stored = folded ? (additive ? zeros_like(value) : ones_like(value)) : value;
        return Module(Common, implicitLayer.GetName(), implicitLayer.training, [new("implicit", Parameter(stored, value.requires_grad))], [], [])
            .Set("channel", value.shape[1]).Set("mean", additive ? 0.0 : 1.0).Set("std", 0.02);
    }

    /// <summary>A torch.nn module below a YOLOv7 layer.</summary>
    private PyInstance Convert(nn.Module module)
    {
        switch (module)
        {
            case Conv2d conv:
            {
                var (ph, pw) = (conv.padding![0], conv.padding[1]);
                return Module("torch.nn.modules.conv", "Conv2d", conv.training,
                    [new("weight", Parameter(conv.weight!, conv.weight!.requires_grad)), new("bias", conv.bias is null ? null : Parameter(conv.bias, conv.bias.requires_grad))],
                    [], [])
                    .Set("in_channels", conv.weight!.shape[1] * conv.groups).Set("out_channels", conv.weight!.shape[0])
                    .Set("kernel_size", Pair(conv.kernel_size[0], conv.kernel_size[1])).Set("stride", Pair(conv.stride[0], conv.stride[1]))
                    .Set("padding", Pair(ph, pw)).Set("dilation", Pair(conv.dilation[0], conv.dilation[1])).Set("transposed", false)
                    .Set("output_padding", Pair(0, 0)).Set("groups", conv.groups).Set("padding_mode", "zeros")
                    .Set("_reversed_padding_repeated_twice", new PyTuple(pw, pw, ph, ph));
            }
            case BatchNorm2d bn:
                return Module("torch.nn.modules.batchnorm", "BatchNorm2d", bn.training,
                    [new("weight", Parameter(bn.weight!, bn.weight!.requires_grad)), new("bias", Parameter(bn.bias!, bn.bias!.requires_grad))],
                    [new("running_mean", Store(bn.running_mean!)), new("running_var", Store(bn.running_var!)), new("num_batches_tracked", Store(bn.num_batches_tracked!))],
                    [])
                    .Set("num_features", bn.weight!.shape[0]).Set("eps", bn.eps).Set("momentum", bn.momentum).Set("affine", true).Set("track_running_stats", true);
            case Sequential sequential:
                return Container("Sequential", sequential, sequential.named_children().Select(c => Child(c.name, Convert(c.module))));
            case ModuleList<Conv2d> convs:
                return Container("ModuleList", convs, convs.Select((c, i) => Child(i, Convert(c))));
            case LeakyRelu leaky:
                // Model.__init__'s initialize_weights sets inplace on LeakyReLU, ReLU and Hardswish.
                return Activation("LeakyReLU", leaky).Set("negative_slope", leaky.NegativeSlope).Set("inplace", true);
            case SiLU or Mish:
                return Activation(module.GetName(), module).Set("inplace", false);
            case ReLU or Hardswish:
                return Activation(module.GetName(), module).Set("inplace", true);
            case Sigmoid:
                return Activation("Sigmoid", module);
            case Identity:
                return Module("torch.nn.modules.linear", "Identity", module.training, [], [], []);
            default:
                throw new NotSupportedException($"{module.GetType().Name} has no torch.nn class to write it as");
        }
    }

    private static PyInstance Activation(string name, nn.Module module) =>
        Module("torch.nn.modules.activation", name, module.training, [], [], []);

    private static PyInstance Pool(SeparableMaxPool2d pool) => MaxPool(pool.training, pool.Kernel, pool.Stride, pool.Padding);

    private static PyInstance MaxPool(bool training, long kernel, long stride, long padding) =>
        Module("torch.nn.modules.pooling", "MaxPool2d", training, [], [], [])
            .Set("kernel_size", kernel).Set("stride", stride).Set("padding", padding).Set("dilation", 1L)
            .Set("return_indices", false).Set("ceil_mode", false);

    private static PyInstance Container(string name, nn.Module module, IEnumerable<KeyValuePair<string, object?>> children) =>
        Module("torch.nn.modules.container", name, module.training, [], [], children.ToList());

    /// <summary>The <c>__dict__</c> <c>nn.Module.__init__</c> gives every module in torch 1.13, in its order.</summary>
    private static PyInstance Module(string module, string name, bool training, IReadOnlyList<KeyValuePair<string, object?>> parameters,
        IReadOnlyList<KeyValuePair<string, object?>> buffers, IReadOnlyList<KeyValuePair<string, object?>> children) =>
        new PyInstance(module, name)
            .Set("training", training)
            .Set("_parameters", new PyOrderedDict(parameters))
            .Set("_buffers", new PyOrderedDict(buffers))
            .Set("_non_persistent_buffers_set", new PySet([]))
            .Set("_backward_hooks", new PyOrderedDict([]))
            .Set("_is_full_backward_hook", null)
            .Set("_forward_hooks", new PyOrderedDict([]))
            .Set("_forward_pre_hooks", new PyOrderedDict([]))
            .Set("_state_dict_hooks", new PyOrderedDict([]))
            .Set("_load_state_dict_pre_hooks", new PyOrderedDict([]))
            .Set("_load_state_dict_post_hooks", new PyOrderedDict([]))
            .Set("_modules", new PyOrderedDict(children));

    private PyTensor Parameter(Tensor value, bool requiresGrad) => new(Stored(value), isParameter: true, requiresGrad);

    private PyTensor Store(Tensor value) => new(Stored(value));

    private Tensor Stored(Tensor value)
    {
        using var _ = no_grad();
        return value.is_floating_point() && value.dtype != storedAs ? value.detach().to(storedAs) : value.detach();
    }

    private static Dictionary<string, nn.Module> Children(nn.Module module) =>
        module.named_children().ToDictionary(c => c.name, c => c.module);

    private static KeyValuePair<string, object?> Child(string name, PyInstance module) => new(name, module);

    private static KeyValuePair<string, object?> Child(int index, PyInstance module) => new(index.ToString(CultureInfo.InvariantCulture), module);

    private static PyTuple Pair(long a, long b) => new(a, b);
}
