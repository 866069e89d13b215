using System.Diagnostics;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Runtime;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// Evaluates single-layer pruning variants of one model on one validation set, for as long as it lives: it owns the
/// fused unpruned model, the decoded set and the cache of unpruned activations (<see cref="SharedActivations"/>), and
/// takes variants as they come, in any order, returning each result in memory. The local <c>sensitivity</c> command
/// (<see cref="SensitivityAnalysis.Run"/>) and a cluster silo's evaluation slot both evaluate through it, so their
/// numbers are the same.
/// <para>
/// Each variant really is the pruned network (a fused pruned copy); what is shared is the decoded set and, per batch,
/// every activation and detection level the pruned layer does not reach (the same weights on the same inputs give the
/// same values). Variants announced with <see cref="Expect"/> are planned into the cache's budget; a variant never
/// announced, or asked for again after its rows were released, is still evaluated exactly: whatever it reads that the
/// cache does not hold is recomputed for it. Times are per image, read after the device has finished (CUDA is
/// synchronised before each clock read). Not thread-safe: one evaluator per device slot.
/// </para>
/// </summary>
public sealed class VariantEvaluator : IDisposable
{
    private readonly LoadedModel source;
    private readonly SensitivityOptions options;
    private readonly ConnectivityGraph graph;
    private readonly ModelStats unpruned;
    private readonly NmsOptions nms;
    private readonly ValidationSet set;
    private readonly YoloModel fused;
    private readonly Device device;
    private readonly Dictionary<(int Layer, double Rate), SensitivityVariant> described = [];
    private SharedActivations? shared;

    /// <summary>Loads and decodes everything the variants share. <paramref name="source"/> stays the caller's (not disposed here).</summary>
    /// <exception cref="EvaluationException">The model's class count differs from the data's.</exception>
    /// <exception cref="DatasetException">The val split cannot be loaded.</exception>
    public VariantEvaluator(LoadedModel source, DataYaml data, int imgSize, int batchSize, SensitivityOptions options, EngineRuntime runtime)
    {
        this.source = source;
        this.options = options;
        ImageSize = imgSize;
        BatchSize = batchSize;
        var model = source.Model;
        model.eval();
        ModelEvaluator.CheckClassCount(model, data, source.Path);
        graph = ConnectivityGraph.Build(model);
        unpruned = ModelMeasure.Measure(model, imgSize, ConvPixelMap.Measure(model));
        nms = options.Nms ?? NmsOptions.ForTest;
        set = ValidationSet.Load(data, SensitivityIdentity.Split, imgSize, batchSize, ModelEvaluator.GridSize(model), options: runtime.SharedSetOptions);
        try
        {
            // Evaluated fused, as the paper's test.py does; fusing is deterministic, so the fused unpruned rows equal
            // the rows a fused pruned copy has upstream of its pruned layer.
            fused = ModelBuilder.Copy(model).Fuse();
            fused.eval();
            device = fused.parameters().First().device;
        }
        catch
        {
            set.Dispose();
            throw;
        }
    }

    private YoloModel Model => source.Model;

    public int ImageSize { get; }

    public int BatchSize { get; }

    /// <summary>The unpruned model's size at <see cref="ImageSize"/>.</summary>
    public ModelStats Unpruned => unpruned;

    /// <summary>Validation images evaluated per variant.</summary>
    public int Images => set.Images.Count;

    /// <summary>Whether every batch's activations are kept (then variants need not be grouped); true before <see cref="Expect"/>.</summary>
    public bool AllResident => shared?.AllResident ?? true;

    /// <summary>Time spent filling kept batches so far: a one-off cost, left out of per-variant time estimates.</summary>
    public TimeSpan FillTime => TimeSpan.FromTicks(shared?.FillTicks ?? 0);

    /// <summary>How the activation cache is used (null before <see cref="Expect"/>).</summary>
    public ActivationCacheUse? CacheUse => shared is { } s ? new ActivationCacheUse(s.ResidentBatches, set.Batches.Count, s.PeakBytes, s.NeededBytes) : null;

    /// <summary>
    /// Announces variants still to come, so the cache keeps (within <see cref="SensitivityOptions.ActivationCacheBytes"/>,
    /// planned at the first call) what they read; the rows of a variant are released once it is evaluated.
    /// </summary>
    public void Expect(IEnumerable<(int Layer, double Rate)> variants)
    {
        var list = variants.Select(Describe).ToList();
        if (shared is null)
            shared = new SharedActivations(fused, set.Batches, list, options.ActivationCacheBytes, ModelEvaluator.GridSize(Model));
        else
            shared.Expect(list);
    }

    /// <summary>The unpruned model measured like every variant (same set, image size, NMS, fusing).</summary>
    public SensitivityBaseline EvaluateUnpruned(CancellationToken cancellationToken = default)
    {
        var metrics = ModelEvaluator.Evaluate(fused, set, new EvaluationOptions { Nms = nms, MeasureModel = false }, cancellationToken: cancellationToken).Metrics;
        return ToBaseline(metrics, unpruned);
    }

    internal static SensitivityBaseline ToBaseline(DetectionMetrics m, ModelStats stats) =>
        new(m.Mp, m.Mr, m.Map50, m.Map, stats.Params, stats.ParamsFused, Math.Round(stats.Gflops, 3));

    /// <summary>Evaluates one variant; see <see cref="Evaluate(IReadOnlyList{ValueTuple{int, double}}, CancellationToken)"/>.</summary>
    public VariantOutcome Evaluate(int layer, double rate, CancellationToken cancellationToken = default) =>
        Evaluate([(layer, rate)], cancellationToken)[0];

    /// <summary>
    /// Evaluates variants together (sharing each unpruned forward of the batches the cache does not keep) and releases
    /// what no other expected variant reads.
    /// </summary>
    /// <exception cref="PruningException">A layer the model does not have.</exception>
    public IReadOnlyList<VariantOutcome> Evaluate(IReadOnlyList<(int Layer, double Rate)> variants, CancellationToken cancellationToken = default)
    {
        var group = variants.Select(Describe).ToList();
        shared ??= new SharedActivations(fused, set.Batches, [], options.ActivationCacheBytes, ModelEvaluator.GridSize(Model));
        var outcomes = EvaluateGroup(group, cancellationToken);
        foreach (var variant in group)
            shared.Finished(variant);
        return outcomes;
    }

    /// <summary>What a variant computes itself, in unpruned GFLOPs (<see cref="VariantReach"/>): a measure of its cost, for time estimates.</summary>
    public double ReachedGflops(int layer, double rate) => VariantReach.Gflops(Model, unpruned, Describe((layer, rate)).Affected);

    public void Dispose()
    {
        shared?.Dispose();
        fused.Dispose();
        set.Dispose();
    }

    // Which filters the single-layer pruning removes: scored on the unpruned weights, exactly what Pruner does first.
    private SensitivityVariant Describe((int Layer, double Rate) v)
    {
        if (described.TryGetValue(v, out var known))
            return known;
        if (v.Layer < 0 || v.Layer >= Model.PrunableLayers.Count)
            throw new PruningException($"layer {v.Layer} does not exist; this model has prunable layers 0..{Model.PrunableLayers.Count - 1}");
        var channels = graph.Layers[v.Layer].Unit.OutChannels;
        long[] removed = [];
        if (Pruner.SkipReason(v.Rate, channels, options.RoundTo) == null)
        {
            var kept = options.Importance().Keep(graph, v.Layer, Pruner.FiltersToRemove(v.Rate, channels, options.RoundTo)).ToHashSet();
            removed = Enumerable.Range(0, (int)channels).Select(i => (long)i).Where(i => !kept.Contains(i)).ToArray();
        }
        var affected = VariantReach.AffectedRows(Model, graph, v.Layer);
        return described[v] = new SensitivityVariant(v.Layer, v.Rate, removed, affected, PruningCost.Of(graph, unpruned, v.Layer, removed.Length), unpruned);
    }

    private List<VariantOutcome> EvaluateGroup(IReadOnlyList<SensitivityVariant> group, CancellationToken cancellationToken)
    {
        var pruned = new List<YoloModel>();
        var plans = new List<PruningPlan>();
        try
        {
            foreach (var variant in group)
            {
                var (copy, plan) = PrunedCopy(variant);
                pruned.Add(copy);
                plans.Add(plan);
            }
            var accumulators = group.Select(_ => new MetricsAccumulator(Model.Nc)).ToList();
            var scorer = new DetectionScorer(nms);
            var headInputs = Model.Cfg.Layers[^1].ResolvedFrom;
            var inferenceTicks = new long[group.Count];
            var nmsTicks = new long[group.Count];
            using var _ = no_grad();
            foreach (var batch in set.Batches)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                Tensor? images = null;
                Tensor Images() => images ??= batch.CreateImages(device);
                var lease = shared!.For(batch, Images, group);
                for (var v = 0; v < group.Count; v++)
                {
                    var (variant, model, affected) = (group[v], pruned[v], group[v].Affected);
                    // Past row 0 unless the variant prunes layer 0: then RunLayers never reads the images.
                    var input = variant.FirstAffectedRow == 0 ? Images() : null!;
                    var clock = Stopwatch.StartNew();
                    using var variantScope = NewDisposeScope();
                    IReadOnlyList<Tensor> predictions = null!;
                    // The levels the variant reaches are decoded from its own head inputs; the others are the unpruned
                    // run's, read in place by NMS (no concatenation).
                    model.RunLayers(input, variant.FirstAffectedRow, (Tensor?[])lease.Rows.Clone(),
                        heads => predictions = lease.Levels.Select((level, i) => affected[headInputs[i]] ? model.Head.InferenceLevel(i, heads[i]!) : level!).ToList(),
                        keep: r => !affected[r], run: r => affected[r]);
                    ModelEvaluator.Synchronize(device);
                    // Charged: the variant's own rows plus its share of the unpruned forward.
                    inferenceTicks[v] += clock.Elapsed.Ticks + lease.TicksPerVariant;
                    nmsTicks[v] += scorer.AddBatch(predictions, batch, accumulators[v]).Ticks;
                }
            }
            return group.Select((variant, v) => new VariantOutcome(
                ToResult(variant, accumulators[v].Compute(), TimeSpan.FromTicks(inferenceTicks[v]), TimeSpan.FromTicks(nmsTicks[v]), set.Images.Count, ImageSize, BatchSize),
                plans[v])).ToList();
        }
        finally
        {
            foreach (var copy in pruned)
                copy.Dispose();
        }
    }

    private (YoloModel Model, PruningPlan Plan) PrunedCopy(SensitivityVariant variant)
    {
        var copy = ModelBuilder.Copy(Model);
        try
        {
            var plan = Pruner.Prune(ConnectivityGraph.Build(copy), [new LayerRate(variant.Layer, variant.Rate)], options.Importance(), options.RoundTo);
            copy.Fuse().eval();
            return (copy, plan);
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>A result line: times per image, params and GFLOPs of the pruned model from the unpruned ones and the saving.</summary>
    internal static SensitivityResult ToResult(SensitivityVariant v, DetectionMetrics m, TimeSpan inference, TimeSpan nms, int images, int imgSize, int batchSize)
    {
        var inferenceMs = inference.TotalMilliseconds / images;
        var nmsMs = nms.TotalMilliseconds / images;
        return new SensitivityResult(v.Layer, v.Rate, m.Mp, m.Mr, m.Map50, m.Map, m.Maps.ToArray(),
            new SensitivityTiming(inferenceMs, nmsMs, inferenceMs + nmsMs, imgSize, imgSize, batchSize),
            v.Baseline.ParamsFused - v.Saving.ParamsFused, Math.Round(v.Baseline.Gflops - v.Saving.Gflops, 3));
    }
}
