using PruneCluster.Engine.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>
/// yolov7 <c>Detect</c>, <c>IDetect</c> (implicit add before and multiply after each output conv) and <c>IAuxDetect</c>
/// (IDetect plus auxiliary output convs <c>m2</c> used only in training). Its convs are consumers only: their
/// output size is fixed by anchors × (classes + 5).
/// </summary>
public sealed class DetectHead : YoloLayer
{
    private ModuleList<Conv2d> m;
    private readonly ModuleList<Implicit>? ia;
    private readonly ModuleList<Implicit>? im;
    private ModuleList<Conv2d>? m2;
    private readonly Tensor anchors;
    private readonly Tensor anchor_grid;
    private bool implicitFolded;

    public DetectHead(string kind, int nc, IReadOnlyList<IReadOnlyList<double>> anchorRows, IReadOnlyList<long> inputChannels, IReadOnlyList<double> strides) : base(kind)
    {
        Kind = kind;
        Nc = nc;
        Levels = anchorRows.Count;
        AnchorsPerLevel = anchorRows[0].Count / 2;
        Strides = strides.ToArray();
        var outputs = AnchorsPerLevel * (nc + 5);
        var main = inputChannels.Take(Levels).ToList();
        m = new ModuleList<Conv2d>(main.Select(c => Conv2d(c, outputs, 1, bias: true)).ToArray());
        if (kind != "Detect")
        {
            ia = new ModuleList<Implicit>(main.Select(Implicit.A).ToArray());
            im = new ModuleList<Implicit>(main.Select(_ => Implicit.M(outputs)).ToArray());
        }
        if (kind == "IAuxDetect")
            m2 = new ModuleList<Conv2d>(inputChannels.Skip(Levels).Select(c => Conv2d(c, outputs, 1, bias: true)).ToArray());
        InitializeBiases();
        // Buffers as yolov7 registers them: anchors in grid units, anchor_grid in pixels.
        var pixels = tensor(anchorRows.SelectMany(r => r).Select(v => (float)v).ToArray()).view(Levels, -1, 2);
        anchor_grid = pixels.clone().view(Levels, 1, -1, 1, 1, 2);
        anchors = pixels / tensor(Strides.Select(s => (float)s).ToArray()).view(-1, 1, 1);
        RegisterComponents();
        Heads = Enumerable.Range(0, Levels).Select(i => (IConvUnit)new HeadConv(this, i)).ToList();
        AuxHeads = m2 == null ? [] : Enumerable.Range(0, m2.Count).Select(i => (IConvUnit)new AuxHeadConv(this, i)).ToList();
    }

    /// <summary>
    /// Model.__init__'s <c>_initialize_biases</c> (<c>_initialize_aux_biases</c> for IAuxDetect, on <c>m2</c> too):
    /// the focal-loss prior, so that a model trained from scratch starts with objectness near 8 objects per 640²
    /// image and class scores near 0.6 / (nc − 0.99) instead of every cell claiming an object at 0.5. Weights
    /// loaded from a checkpoint replace these.
    /// </summary>
    private void InitializeBiases()
    {
        using var _ = no_grad();
        var heads = m2 == null ? m.ToArray() : m.Concat(m2).ToArray();
        for (var i = 0; i < heads.Length; i++)
        {
            var stride = Strides[i % Levels];
            var perAnchor = heads[i].bias!.view(AnchorsPerLevel, -1);
            perAnchor[TensorIndex.Colon, 4].add_(Math.Log(8 / Math.Pow(640 / stride, 2)));
            perAnchor[TensorIndex.Colon, TensorIndex.Slice(5)].add_(Math.Log(0.6 / (Nc - 0.99)));
        }
    }

    public string Kind { get; }

    /// <summary>IAuxDetect (P6 models): auxiliary outputs trained with ComputeLossAuxOTA.</summary>
    public bool IsAux => Kind == "IAuxDetect";

    public int Nc { get; }
    public int Levels { get; }
    public int AnchorsPerLevel { get; }
    public double[] Strides { get; }
    public int Outputs => Nc + 5;

    /// <summary>The anchors in grid units of their level, [levels, anchors, 2] (YOLOv7's <c>Detect.anchors</c>, which its losses match against).</summary>
    public Tensor AnchorsInGridUnits => anchors;

    /// <summary>The head convs as conv units (main outputs first, then the auxiliary ones).</summary>
    public IReadOnlyList<IConvUnit> Heads { get; private set; }

    private IReadOnlyList<IConvUnit> AuxHeads { get; }

    public override IEnumerable<(string Path, IConvUnit Unit)> ConvUnits =>
        Heads.Select((u, i) => ($"m.{i}", u)).Concat(AuxHeads.Select((u, i) => ($"m2.{i}", u)));

    /// <summary>Training-style forward: the raw per-level outputs [b, na, ny, nx, nc+5] (aux levels included).</summary>
    public override Tensor forward(IReadOnlyList<Tensor> inputs) => throw new NotSupportedException("call Raw or Decode");

    /// <summary>The raw outputs of the main levels, then (with <paramref name="includeAux"/>) of the auxiliary ones.
    /// <paramref name="inputs"/> are the head's inputs in cfg order; an auxiliary one may be null when not wanted.</summary>
    public Tensor[] Raw(IReadOnlyList<Tensor?> inputs, bool includeAux)
    {
        var outputs = new List<Tensor>();
        for (var i = 0; i < Levels; i++)
            outputs.Add(RawLevel(i, inputs[i] ?? throw new ArgumentException($"detection level {i} has no input")));
        if (includeAux && m2 != null)
            for (var i = 0; i < m2.Count; i++)
                outputs.Add(Reshape(m2[i].call(inputs[Levels + i] ?? throw new ArgumentException($"auxiliary level {i} has no input"))));
        return outputs.ToArray();
    }

    /// <summary>The raw output [b, na, ny, nx, nc+5] of detection level <paramref name="i"/> for its input <paramref name="x"/>.</summary>
    public Tensor RawLevel(int i, Tensor x)
    {
        using var scope = NewDisposeScope();
        if (ia != null && !implicitFolded)
            x = ia[i].call(x);
        x = ChannelMask.ApplyOptional(Heads[i].Mask, x);
        var y = m[i].call(x);
        if (im != null && !implicitFolded)
            y = im[i].call(y);
        return Reshape(y).MoveToOuterDisposeScope();
    }

    private Tensor Reshape(Tensor y)
    {
        var (bs, ny, nx) = (y.shape[0], y.shape[2], y.shape[3]);
        return y.view(bs, AnchorsPerLevel, Outputs, ny, nx).permute(0, 1, 3, 4, 2).contiguous();
    }

    /// <summary>Inference output [b, N, nc+5]: xywh in input pixels, sigmoid objectness and class scores.</summary>
    public Tensor Decode(IReadOnlyList<Tensor> raw)
    {
        using var scope = NewDisposeScope();
        return cat(Enumerable.Range(0, Levels).Select(i => DecodeLevel(i, raw[i])).ToList(), 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Level <paramref name="i"/>'s part of <see cref="Decode"/> (YOLOv7's <c>z[i]</c>), [b, na·ny·nx, nc+5], from its
    /// raw output. As IDetect.forward does: the sigmoid of the whole raw output, then xy and wh rewritten in place
    /// (no concatenation, so one copy of the level's scores is made instead of three).
    /// </summary>
    public Tensor DecodeLevel(int i, Tensor raw)
    {
        using var scope = NewDisposeScope();
        var (bs, ny, nx) = (raw.shape[0], raw.shape[2], raw.shape[3]);
        using var n = new KeptScalars(); // runs on every forward, often on several threads: no GC-freed temporaries
        var y = raw.sigmoid();
        y[TensorIndex.Ellipsis, TensorIndex.Slice(0, 2)].mul_(n.Of(2.0)).sub_(n.Of(0.5)).add_(Grid(nx, ny, y.device), n.One).mul_(n.Of(Strides[i]));
        y[TensorIndex.Ellipsis, TensorIndex.Slice(2, 4)].mul_(n.Of(2L)).pow_(n.Of(2L)).mul_(anchor_grid[i]);
        // reshape, not view: a raw tensor that is not contiguous (not RawLevel's) gives a sigmoid with its strides.
        return y.reshape(bs, -1, Outputs).MoveToOuterDisposeScope();
    }

    /// <summary>Level <paramref name="i"/>'s part of the inference output for its head input <paramref name="x"/>:
    /// <see cref="DecodeLevel"/> of <see cref="RawLevel"/>.</summary>
    public Tensor InferenceLevel(int i, Tensor x)
    {
        using var scope = NewDisposeScope();
        return DecodeLevel(i, RawLevel(i, x)).MoveToOuterDisposeScope();
    }

    // Computed per call rather than cached: a cached Tensor field would become a buffer (and be saved).
    private static Tensor Grid(long nx, long ny, Device device)
    {
        var mesh = meshgrid([arange(ny, device: device), arange(nx, device: device)], indexing: "ij");
        return stack([mesh[1], mesh[0]], 2).view(1, 1, ny, nx, 2).to(ScalarType.Float32);
    }

    public override ChannelSources Trace(IReadOnlyList<ChannelSources> inputs, ITraceContext context)
    {
        var units = ConvUnits.Select(u => u.Unit).ToList();
        for (var i = 0; i < units.Count; i++)
            context.Consume(units[i], inputs[i]);
        return new ChannelSources([]);
    }

    /// <summary>Folds ImplicitA into the conv bias and ImplicitM into weight and bias (yolov7 IDetect.fuse).</summary>
    public void Fuse()
    {
        if (ia == null || im == null || implicitFolded)
            return;
        using var _ = no_grad();
        for (var i = 0; i < Levels; i++)
        {
            var w = m[i].weight!;
            var (c1, c2) = (w.shape[0], w.shape[1]);
            Tensor bias, weight;
            // Temporaries belong to a scope: TorchSharp hands native calls only handles, so an unowned temporary can
            // be finalized by the GC while a call still reads it.
            using (NewDisposeScope())
            {
                var shifted = m[i].bias! + matmul(w.reshape(c1, c2), ia[i].Value.reshape(c2, 1)).squeeze(1);
                var scale = im[i].Value.reshape(c1);
                bias = (shifted * scale).contiguous().DetachFromDisposeScope();
                weight = (w * im[i].Value.transpose(0, 1)).contiguous().DetachFromDisposeScope();
            }
            m[i].bias = new Parameter(bias, false);
            m[i].weight = new Parameter(weight, false);
        }
        // The implicit modules stay registered (and counted), as in the fused PyTorch model, but are no longer applied.
        implicitFolded = true;
    }

    public bool IsFused => ia == null || implicitFolded;

    /// <summary>The output conv of main level <paramref name="level"/> (implicits folded in once fused), for exporters.</summary>
    internal Conv2d OutputConv(int level) => m[level];

    /// <summary>The anchors in input pixels, [levels, 1, anchors, 1, 1, 2] (YOLOv7's <c>anchor_grid</c>).</summary>
    internal Tensor AnchorGrid => anchor_grid;

    // Rebuilds one output conv (TorchSharp convs cannot change channels) inside a fresh list registered in place.
    private void ReplaceOutputConv(bool auxiliary, int index, Conv2d rebuilt)
    {
        var list = auxiliary ? m2! : m;
        var convs = list.ToArray();
        var old = convs[index];
        convs[index] = rebuilt;
        var replacement = new ModuleList<Conv2d>(convs);
        ReplaceChild(auxiliary ? "m2" : "m", replacement);
        if (auxiliary)
            m2 = replacement;
        else
            m = replacement;
        old.Dispose();
    }

    /// <summary>Declares that loaded weights already contain the folded implicits (a fused checkpoint).</summary>
    public void MarkImplicitFolded() => implicitFolded = ia != null;

    /// <summary>Main-output conv i seen as a consumer-only conv unit; its input includes ImplicitA.</summary>
    private sealed class HeadConv(DetectHead head, int level) : IConvUnit
    {
        private Conv2d Conv => head.m[level];
        public long OutChannels => Conv.weight!.shape[0];
        public long InChannels => Conv.weight!.shape[1];
        public IReadOnlyList<Tensor> FilterWeights => [Conv.weight!];
        public IReadOnlyList<BatchNorm2d> Norms => [];
        public long MacsPerPixel => TensorSelect.Macs(Conv);
        public int Stride => 1;
        public long ParameterCount => Conv.weight!.numel() + Conv.bias!.numel();
        public long FusedParameterCount => ParameterCount;
        public bool HasInputImplicit => head.ia != null;
        public ChannelMask? Mask { get; set; }

        public void KeepOutputs(Tensor keep) => throw new NotSupportedException("detection-head convs cannot lose filters: their outputs are anchors × (classes + 5)");

        public void KeepInputs(Tensor keep)
        {
            if (head.ia != null && head.implicitFolded)
                RemoveFoldedImplicit(keep);
            head.ReplaceOutputConv(false, level, TensorSelect.Keep(Conv, 1, keep));
            head.ia?[level].KeepChannels(keep);
        }

        // A fused IDetect bias holds (b + W·ia)·im over every input channel. Pruned channels must take their ImplicitA
        // contribution with them, exactly as in the unfused model where the channel (and its implicit) disappear.
        private void RemoveFoldedImplicit(Tensor keep)
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var device = Conv.weight!.device;
            var removed = ones(InChannels, dtype: ScalarType.Bool, device: device).index_fill_(0, keep.to(device), false);
            var implicitA = head.ia![level].Value.reshape(-1) * removed.to(ScalarType.Float32);
            var w = Conv.weight!;
            var contribution = matmul(w.reshape(w.shape[0], w.shape[1]), implicitA);
            Conv.bias = new Parameter((Conv.bias! - contribution).contiguous().MoveToOuterDisposeScope(), false);
        }
    }

    private sealed class AuxHeadConv(DetectHead head, int index) : IConvUnit
    {
        private Conv2d conv => head.m2![index];
        public long OutChannels => conv.weight!.shape[0];
        public long InChannels => conv.weight!.shape[1];
        public IReadOnlyList<Tensor> FilterWeights => [conv.weight!];
        public IReadOnlyList<BatchNorm2d> Norms => [];
        public long MacsPerPixel => TensorSelect.Macs(conv);
        public int Stride => 1;
        public long ParameterCount => conv.weight!.numel() + conv.bias!.numel();
        public long FusedParameterCount => ParameterCount;
        public ChannelMask? Mask { get; set; }
        public void KeepOutputs(Tensor keep) => throw new NotSupportedException("detection-head convs cannot lose filters");
        public void KeepInputs(Tensor keep) => head.ReplaceOutputConv(true, index, TensorSelect.Keep(conv, 1, keep));
    }
}
