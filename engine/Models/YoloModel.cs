using PruneCluster.Engine.Models.Modules;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PruneCluster.Engine.Models;

/// <summary>
/// A YOLOv7-family network built from its cfg. Parameter names equal the official state_dict keys
/// (<c>model.N.…</c>). Forward runs the cfg rows in order, keeping each output only as long as a later row needs it.
/// </summary>
public sealed class YoloModel : Module<Tensor, Tensor>
{
    private readonly ModuleList<YoloLayer> model;
    private readonly IReadOnlyList<YoloLayer> layers;
    private readonly int[] lastUse;

    internal YoloModel(YoloCfg cfg, IReadOnlyList<YoloLayer> layers, IReadOnlyList<double> layerStrides) : base("Model")
    {
        Cfg = cfg;
        model = new ModuleList<YoloLayer>(layers.ToArray());
        this.layers = layers.ToArray();
        LayerStrides = layerStrides.ToArray();
        RegisterComponents();
        Head = layers[^1] as DetectHead ?? throw new ModelConfigException($"{cfg.Source}: the last layer must be Detect, IDetect or IAuxDetect");
        ConvLayers = EnumerateConvLayers(cfg, layers);
        lastUse = ComputeLastUse(cfg, _ => true);
        InferenceRows = ComputeInferenceRows(cfg, Head.Levels);
    }

    public YoloCfg Cfg { get; }
    public IReadOnlyList<YoloLayer> Layers => layers;
    public DetectHead Head { get; }
    public double[] LayerStrides { get; }

    /// <summary>The paper's conv-layer list: prunable layers first, then the head convs.</summary>
    public IReadOnlyList<ConvLayer> ConvLayers { get; }

    public IReadOnlyList<ConvLayer> PrunableLayers => ConvLayers.Where(l => l.IsPrunable).ToList();

    public int Nc => Head.Nc;

    /// <summary>
    /// Per cfg row: whether the inference output depends on it. False only for rows that feed nothing but
    /// IAuxDetect's auxiliary outputs, which serve training alone (yolov7's eval forward computes and drops them).
    /// </summary>
    public IReadOnlyList<bool> InferenceRows { get; }

    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>
    /// The floating dtype the checkpoint stored the weights in (float16 for YOLOv7's own files). The model always
    /// computes in float32 (widening float16 is exact); ranking filters in stored precision follows this.
    /// Float32 for built models and for files this tool saved.
    /// </summary>
    public ScalarType StoredDtype { get; set; } = ScalarType.Float32;

    /// <summary>True once every Conv/RepConv has no batch norm (after <see cref="Fuse"/> or from a fused checkpoint).</summary>
    public bool IsFused => ConvLayers.All(l => l.IsHead || l.Unit.Norms.Count == 0);

    /// <summary>Inference output [batch, N, nc + 5] (xywh pixels, sigmoid scores), as IDetect/Detect in eval mode.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var raw = ForwardRaw(x, includeAux: false);
        return Head.Decode(raw).MoveToOuterDisposeScope();
    }

    /// <summary>Training-style output: the raw per-level tensors [batch, anchors, ny, nx, nc + 5].</summary>
    public Tensor[] ForwardRaw(Tensor x, bool includeAux = true)
    {
        using var scope = NewDisposeScope();
        var outputs = new Tensor?[model.Count];
        Tensor[] result = [];
        RunLayers(x, 0, outputs, headInputs => result = Head.Raw(headInputs, includeAux), run: includeAux ? null : r => InferenceRows[r]);
        foreach (var r in result)
            r.MoveToOuterDisposeScope();
        return result;
    }

    /// <summary>
    /// Runs rows <paramref name="start"/>..end. <paramref name="outputs"/> holds already computed rows (a cache for
    /// re-running only what lies downstream of a change); rows before <paramref name="start"/> must be present where
    /// later rows read them. Outputs no longer needed are released as soon as their last reader has run, unless
    /// <paramref name="keep"/> says otherwise. <paramref name="stopBefore"/> ends the run before that row.
    /// <paramref name="run"/>, when given, skips the rows it rejects: their outputs must already be in
    /// <paramref name="outputs"/> wherever a row that runs reads them (and should be kept). The head is the exception:
    /// <paramref name="onHeadInputs"/> gets null for an input that is not there, so a caller that decodes only some
    /// levels (or no auxiliary ones) need not compute the rest.
    /// </summary>
    public void RunLayers(Tensor x, int start, Tensor?[] outputs, Action<IReadOnlyList<Tensor?>> onHeadInputs, Func<int, bool>? keep = null,
        int stopBefore = int.MaxValue, Func<int, bool>? run = null)
    {
        // With rows skipped, an output's last reader may be one that does not run: release after the last that does.
        var lastReader = run == null ? lastUse : ComputeLastUse(Cfg, run);
        for (var i = start; i < Math.Min(model.Count, stopBefore); i++)
        {
            if (run != null && !run(i))
                continue;
            var spec = Cfg.Layers[i];
            if (model[i] is DetectHead)
            {
                onHeadInputs(spec.ResolvedFrom.Select(f => outputs[f]).ToList());
            }
            else
            {
                var inputs = i == 0 ? [x] : spec.ResolvedFrom.Select(f => outputs[f] ?? throw new InvalidOperationException($"row {f} output missing")).ToList();
                outputs[i] = model[i].call(inputs);
            }
            foreach (var f in i == 0 ? [] : spec.ResolvedFrom)
                if (lastReader[f] == i && (keep == null || !keep(f)))
                {
                    outputs[f]?.Dispose();
                    outputs[f] = null;
                }
        }
    }

    /// <summary>Conv+BN folding, RepConv re-parameterisation and IDetect implicit folding (yolov7 Model.fuse()).</summary>
    public YoloModel Fuse()
    {
        foreach (var layer in model)
        {
            switch (layer)
            {
                case Conv c: c.Fuse(); break;
                case RepConv r: r.Fuse(); break;
                case SPPCSPC s: s.Fuse(); break;
                case DownC d: d.Fuse(); break;
                case DetectHead h: h.Fuse(); break;
            }
        }
        return this;
    }

    private static IReadOnlyList<ConvLayer> EnumerateConvLayers(YoloCfg cfg, IReadOnlyList<YoloLayer> layers)
    {
        var body = new List<(int Row, string Path, IConvUnit Unit)>();
        var head = new List<(int Row, string Path, IConvUnit Unit)>();
        for (var row = 0; row < layers.Count; row++)
        {
            foreach (var (path, unit) in layers[row].ConvUnits)
            {
                var full = path.Length == 0 ? $"model.{row}" : $"model.{row}.{path}";
                (layers[row] is DetectHead ? head : body).Add((row, full, unit));
            }
        }
        return body.Select(e => (e, false)).Concat(head.Select(e => (e, true)))
            .Select((item, index) => new ConvLayer(index, item.e.Row, item.e.Path, cfg.Layers[item.e.Row].Module, item.e.Unit, item.Item2))
            .ToList();
    }

    // The head and what its main detection levels' inputs are computed from (not its auxiliary inputs).
    private static bool[] ComputeInferenceRows(YoloCfg cfg, int levels)
    {
        var needed = new bool[cfg.Layers.Count];
        foreach (var f in cfg.Layers[^1].ResolvedFrom.Take(levels))
            needed[f] = true;
        cfg.WithInputs(needed);
        needed[^1] = true;
        return needed;
    }

    // For each row, the last row (among those that run) reading its output; -1 when none does.
    private static int[] ComputeLastUse(YoloCfg cfg, Func<int, bool> runs)
    {
        var last = Enumerable.Repeat(-1, cfg.Layers.Count).ToArray();
        foreach (var spec in cfg.Layers.Skip(1).Where(spec => runs(spec.Index)))
            foreach (var f in spec.ResolvedFrom)
                last[f] = Math.Max(last[f], spec.Index);
        return last;
    }
}
