using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Onnx;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Models.Modules;
using TorchSharp.Modules;
using static TorchSharp.torch;
using B = PruneCluster.Engine.Export.OnnxGraphBuilder;

namespace PruneCluster.Engine.Export;

/// <summary>
/// A fused YOLOv7-family model as an ONNX graph, built by walking its cfg rows: Conv (batch norms, RepConv branches
/// and IDetect implicits already folded), the activations, Concat, MaxPool, Resize, Slice/Add for ReOrg and
/// Shortcut, and the head's Reshape/Transpose and decode arithmetic exactly as <see cref="DetectHead.DecodeLevel"/>
/// computes it. Input <c>images</c> [B, 3, img, img] float32; output <c>output</c> [B, N, nc + 5] (xywh in input
/// pixels, sigmoid objectness and class scores), or with <see cref="OnnxExportOptions.Decode"/> off
/// <c>raw0</c>, <c>raw1</c>, … [B, anchors, ny, nx, nc + 5] (before the sigmoid). Each conv node is named
/// <c>conv{index}_{path}</c> after its entry in the paper's conv-layer list, and so are its output and activation
/// values (<see cref="ConvIndexOf"/> reads the index back from any of them).
/// </summary>
public static partial class OnnxExporter
{
    public const string InputName = "images", OutputName = "output", RawOutputPrefix = "raw";

    /// <summary>The default-domain operators the exporter may write.</summary>
    public static IReadOnlySet<string> Operators { get; } = new HashSet<string>
    {
        "Conv", "Relu", "LeakyRelu", "Sigmoid", "Mul", "HardSwish", "Softplus", "Tanh", "Concat", "MaxPool", "Resize",
        "Slice", "Add", "Sub", "Reshape", "Transpose",
    };

    /// <summary>The conv-layer index a node name written by the exporter carries, or null for other nodes.</summary>
    public static int? ConvIndexOf(string nodeName) => ConvNodeName().Match(nodeName) is { Success: true } m ? int.Parse(m.Groups[1].Value) : null;

    /// <summary>The ONNX model of <paramref name="model"/>, which must be fused (<see cref="YoloModel.Fuse"/>) and unmasked.</summary>
    public static ModelProto Build(YoloModel model, OnnxExportOptions options)
    {
        if (!model.IsFused || !model.Head.IsFused)
            throw new ArgumentException("the model must be fused before export (YoloModel.Fuse)", nameof(model));
        if (options.Opset is < OnnxExportOptions.MinOpset or > OnnxExportOptions.MaxOpset)
            throw new OnnxExportException($"--opset {options.Opset}: use {OnnxExportOptions.MinOpset}..{OnnxExportOptions.MaxOpset}");
        if (model.ConvLayers.Any(l => l.Unit.Mask != null))
            throw new OnnxExportException("the model carries pruning masks (an evaluation in progress); export a really pruned model");
        var maxStride = (int)model.Head.Strides.Max();
        if (options.Img <= 0 || options.Img % maxStride != 0)
            throw new OnnxExportException($"--img {options.Img}: the export needs a multiple of the model's largest stride {maxStride}");
        using var _ = no_grad();
        var walk = new Walk(model, options);
        var graph = walk.Run();
        var onnx = new ModelProto
        {
            IrVersion = options.IrVersion,
            ProducerName = "prunecluster",
            ProducerVersion = Version,
            Graph = graph,
        };
        onnx.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        foreach (var (key, value) in Metadata(model, options))
            onnx.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return onnx;
    }

    /// <summary>Writes the model atomically (readers see the old file or the whole new one).</summary>
    public static void Write(string path, ModelProto model) => AtomicFile.Write(path, stream => model.WriteTo(stream));

    /// <summary>The PruneCluster version written into the file.</summary>
    public static string Version =>
        typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static IEnumerable<(string, string)> Metadata(YoloModel model, OnnxExportOptions options)
    {
        var names = options.ClassNames ?? Enumerable.Range(0, model.Nc).Select(i => i.ToString()).ToList();
        var levels = model.Head.Levels;
        yield return ("names", JsonSerializer.Serialize(names));
        yield return ("stride", JsonSerializer.Serialize(model.Head.Strides));
        yield return ("anchors", JsonSerializer.Serialize(model.Cfg.Anchors.Take(levels)));
        yield return ("img", JsonSerializer.Serialize(new[] { options.Img, options.Img }));
        yield return ("decode", options.Decode ? "true" : "false");
        yield return ("prunecluster_version", Version);
        yield return ("pruning", options.Pruning);
        yield return ("outputs", options.Decode
            ? "output [batch, N, nc+5]: x, y, w, h in input pixels, sigmoid objectness, sigmoid class scores"
            : "raw0..rawL [batch, anchors, ny, nx, nc+5]: the head convs' outputs before the sigmoid, one per detection level");
    }

    [GeneratedRegex(@"^conv(\d+)_")]
    private static partial Regex ConvNodeName();

    /// <summary>One export: the graph builder, the value name of each row's output and the conv-index lookup.</summary>
    private sealed class Walk(YoloModel model, OnnxExportOptions options)
    {
        private readonly B b = new();
        private readonly Dictionary<object, ConvLayer> layerOf = model.ConvLayers.Where(l => !l.IsHead).ToDictionary(l => (object)l.Unit, l => l, ReferenceEqualityComparer.Instance);

        public GraphProto Run()
        {
            long? batch = options.DynamicBatch ? null : options.Batch;
            b.Graph.Input.Add(B.Value(InputName, batch, model.Cfg.InputChannels, options.Img, options.Img));
            var outputs = new string?[model.Layers.Count];
            for (var row = 0; row < model.Layers.Count; row++)
            {
                if (!model.InferenceRows[row])
                    continue;
                var from = row == 0 ? [InputName] : model.Cfg.Layers[row].ResolvedFrom.Select(f => outputs[f]!).ToList();
                if (model.Layers[row] is DetectHead head)
                    Head(head, row, from, batch);
                else
                    outputs[row] = Layer(model.Layers[row], row, from);
            }
            return b.Graph;
        }

        private string Layer(YoloLayer layer, int row, IReadOnlyList<string> x)
        {
            switch (layer)
            {
                case Conv c:
                    return ConvUnit(c, x[0]);
                case RepConv r:
                    return Activation(r.Act, ConvNode(r.Reparameterized!, x[0], layerOf[r]));
                case SPPCSPC s:
                {
                    var cv = s.ConvUnits.ToDictionary(u => u.Path, u => (Conv)u.Unit);
                    var x1 = ConvUnit(cv["cv4"], ConvUnit(cv["cv3"], ConvUnit(cv["cv1"], x[0])));
                    var pyramid = new List<string> { x1 };
                    pyramid.AddRange(SPPCSPC.PoolSizes.Select(k => MaxPool(x1, k, 1, k / 2)));
                    var y1 = ConvUnit(cv["cv6"], ConvUnit(cv["cv5"], Concat(pyramid, 1)));
                    var y2 = ConvUnit(cv["cv2"], x[0]);
                    return ConvUnit(cv["cv7"], Concat([y1, y2], 1));
                }
                case DownC d:
                {
                    var cv = d.ConvUnits.ToDictionary(u => u.Path, u => (Conv)u.Unit);
                    return Concat([ConvUnit(cv["cv2"], ConvUnit(cv["cv1"], x[0])), ConvUnit(cv["cv3"], MaxPool(x[0], d.PoolSize, d.PoolSize, 0))], 1);
                }
                case Models.Modules.Concat:
                    return Concat(x, 1);
                case Shortcut:
                    return b.Node("Add", [x[0], x[1]]);
                case PassThroughLayer { Kind: "MP" } p:
                    return MaxPool(x[0], p.Kernel, p.Kernel, 0);
                case PassThroughLayer { Kind: "SP" } p:
                    return MaxPool(x[0], p.Kernel, (long)p.StrideFactor, p.Kernel / 2);
                case PassThroughLayer { Kind: "Upsample" } p:
                {
                    var scale = (float)(1 / p.StrideFactor);
                    return b.Node("Resize", [x[0], "", b.Floats("scales", [1f, 1f, scale, scale], 4)], null, null,
                        B.Text("mode", "nearest"), B.Text("coordinate_transformation_mode", "asymmetric"), B.Text("nearest_mode", "floor"));
                }
                case ReOrg:
                    // x[..., ::2, ::2], x[..., 1::2, ::2], x[..., ::2, 1::2], x[..., 1::2, 1::2] (height first, then width).
                    return Concat(new[] { (0L, 0L), (1L, 0L), (0L, 1L), (1L, 1L) }.Select(o =>
                        b.Node("Slice", [x[0], b.Longs("starts", o.Item1, o.Item2), b.Longs("ends", long.MaxValue, long.MaxValue), b.Longs("axes", 2, 3), b.Longs("steps", 2, 2)])).ToList(), 1);
                default:
                    throw new OnnxExportException($"layer {row} ({model.Cfg.Layers[row].Module}) has no ONNX export; supported: Conv, RepConv, SPPCSPC, DownC, Concat, Shortcut, MP, SP, nn.Upsample, ReOrg, Detect, IDetect, IAuxDetect");
            }
        }

        private string ConvUnit(Conv c, string x) => Activation(c.Act, ConvNode(c.Convolution, x, layerOf[c]));

        private string ConvNode(Conv2d conv, string x, ConvLayer layer)
        {
            var name = $"conv{layer.Index}_{layer.Path}";
            var weight = conv.weight!;
            var inputs = new List<string> { x, b.Floats($"{layer.Path}.weight", Floats(weight), weight.shape) };
            if (conv.bias is { } bias)
                inputs.Add(b.Floats($"{layer.Path}.bias", Floats(bias), bias.shape));
            var (k, s, p, d) = (conv.kernel_size, conv.stride, conv.padding!, conv.dilation);
            return b.Node("Conv", inputs, name, name,
                B.Ints("kernel_shape", k[0], k[1]), B.Ints("strides", s[0], s[1]), B.Ints("pads", p[0], p[1], p[0], p[1]),
                B.Ints("dilations", d[0], d[1]), B.Int("group", conv.groups));
        }

        // The activation's values are named after the conv's (x): ONNX Runtime names a conv it fuses or re-lays out
        // after its output value, and the profile must still map it to its conv layer.
        private string Activation(TorchSharp.torch.nn.Module<Tensor, Tensor> act, string x)
        {
            var y = $"{x}_act";
            switch (act)
            {
                case LeakyRelu l:
                    return b.Node("LeakyRelu", [x], null, y, B.Float("alpha", (float)l.NegativeSlope));
                case SiLU:
                    return b.Node("Mul", [x, b.Node("Sigmoid", [x], null, $"{x}_sigmoid")], null, y);
                case ReLU:
                    return b.Node("Relu", [x], null, y);
                case Sigmoid:
                    return b.Node("Sigmoid", [x], null, y);
                case Hardswish:
                    return b.Node("HardSwish", [x], null, y);
                case Mish:
                    return b.Node("Mul", [x, b.Node("Tanh", [b.Node("Softplus", [x], null, $"{x}_softplus")], null, $"{x}_tanh")], null, y);
                case Identity:
                    return x;
                default:
                    throw new OnnxExportException($"activation {act.GetType().Name} has no ONNX export; supported: SiLU, ReLU, LeakyReLU, Sigmoid, Hardswish, Mish, Identity");
            }
        }

        private string MaxPool(string x, long kernel, long stride, long pad) =>
            b.Node("MaxPool", [x], null, null, B.Ints("kernel_shape", kernel, kernel), B.Ints("strides", stride, stride), B.Ints("pads", pad, pad, pad, pad));

        private string Concat(IEnumerable<string> parts, long axis, string? output = null) => b.Node("Concat", parts, null, output, B.Int("axis", axis));

        private void Head(DetectHead head, int row, IReadOnlyList<string> x, long? batch)
        {
            var (na, no) = ((long)head.AnchorsPerLevel, (long)head.Outputs);
            var levels = new List<string>();
            long total = 0;
            for (var i = 0; i < head.Levels; i++)
            {
                var stride = head.Strides[i];
                var (ny, nx) = ((long)(options.Img / stride), (long)(options.Img / stride));
                var path = $"model.{row}.m.{i}";
                var conv = ConvNode(head.OutputConv(i), x[i], model.ConvLayers.Single(l => l.Path == path));
                var reshaped = b.Node("Reshape", [conv, b.Longs("shape", -1, na, no, ny, nx)]);
                var rawName = options.Decode ? null : $"{RawOutputPrefix}{i}";
                var raw = b.Node("Transpose", [reshaped], null, rawName, B.Ints("perm", 0, 1, 3, 4, 2));
                if (!options.Decode)
                {
                    b.Graph.Output.Add(B.Value(raw, batch, na, ny, nx, no));
                    continue;
                }
                levels.Add(Decode(raw, i, stride, head, na, ny, nx, no));
                total += na * ny * nx;
            }
            if (options.Decode)
            {
                Concat(levels, 1, OutputName);
                b.Graph.Output.Add(B.Value(OutputName, batch, total, no));
            }
        }

        // DetectHead.DecodeLevel step by step, in the same order of float32 operations.
        private string Decode(string raw, int level, double stride, DetectHead head, long na, long ny, long nx, long no)
        {
            var y = b.Node("Sigmoid", [raw]);
            string Channels(long from, long to) => b.Node("Slice", [y, b.Longs("starts", from), b.Longs("ends", to), b.Longs("axes", 4)]);
            var xy = b.Node("Mul", [b.Node("Add", [b.Node("Sub", [b.Node("Mul", [Channels(0, 2), b.Scalar(2)]), b.Scalar(0.5f)]), Grid(ny, nx)]), b.Scalar((float)stride)]);
            var twice = b.Node("Mul", [Channels(2, 4), b.Scalar(2)]);
            var anchors = head.AnchorGrid[level].detach().cpu().contiguous();
            var wh = b.Node("Mul", [b.Node("Mul", [twice, twice]), b.Floats($"anchor_grid.{level}", Floats(anchors), anchors.shape)]);
            var joined = Concat([xy, wh, Channels(4, no)], 4);
            return b.Node("Reshape", [joined, b.Longs("shape", -1, na * ny * nx, no)]);
        }

        // [1, 1, ny, nx, 2] holding (x, y) of every cell, as DetectHead's grid.
        private string Grid(long ny, long nx)
        {
            var grid = new float[ny * nx * 2];
            for (var r = 0; r < ny; r++)
                for (var c = 0; c < nx; c++)
                    (grid[(r * nx + c) * 2], grid[(r * nx + c) * 2 + 1]) = (c, r);
            return b.Floats("grid", grid, 1, 1, ny, nx, 2);
        }

        private static float[] Floats(Tensor t)
        {
            using var scope = NewDisposeScope();
            return t.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
        }
    }
}
