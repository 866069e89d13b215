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
/// The paper's sensitivity analysis: for every selected layer and rate, the metrics, fused parameter count and
/// GFLOPs of the model with only that layer pruned. Results go to <c>output_{25,50,75}.txt</c> in the paper's format
/// after every evaluation (after every group of variants when the kept activations do not fit; atomically), and a
/// re-run skips what is already there.
/// <para>
/// Fast mode decodes the set once and, per batch, runs the fused unpruned network once for the whole analysis, keeping
/// what the variants read within a memory budget (<see cref="SharedActivations"/>); each variant then runs only
/// the rows its pruned layer reaches (the layer's rows and whatever reads them, directly or not) and only the
/// detection levels fed by those rows, taking every other activation and level from the unpruned run. Masking the
/// removed filters (<see cref="PruningMask"/>) would avoid the per-variant copy but sums in another order, which moves
/// metrics by up to ~2e-6 through flipped detections; the pruned copy keeps fast equal to naive. Every variant is
/// evaluated fused (Conv+BN, RepConv, implicit layers folded), like the paper's test.py. Parameter and
/// GFLOP counts come from <see cref="PruningCost"/>. Naive mode does what the paper's test.py does, for comparison.
/// </para>
/// </summary>
public sealed class SensitivityAnalysis(LoadedModel source, DataYaml data, int imgSize, int batchSize, SensitivityOptions options)
{
    private YoloModel Model => source.Model;

    /// <summary>Variants per (layer, rate) in evaluation order: by layer, then by rate.</summary>
    public IReadOnlyList<(int Layer, double Rate)> Plan()
    {
        var prunable = Model.PrunableLayers.Count;
        var layers = options.Layers ?? Enumerable.Range(0, prunable).ToList();
        var outOfRange = layers.FirstOrDefault(l => l < 0 || l >= prunable, -1);
        if (outOfRange >= 0)
            throw new PruningException($"--layers: layer {outOfRange} does not exist; this model has prunable layers 0..{prunable - 1}");
        return layers.Distinct().Order().SelectMany(l => options.Rates.Select(r => (l, r))).ToList();
    }

    /// <summary>How the last fast run reused the unpruned activations; null before one has run.</summary>
    public ActivationCacheUse? CacheUse { get; private set; }

    /// <summary>The unpruned model measured like every line; set by <see cref="Run"/> (null if nothing was ever evaluated).</summary>
    public SensitivityBaseline? Baseline { get; private set; }

    /// <summary>Every (layer, rate) of the folder whose pruning changed nothing; set by <see cref="Run"/>.</summary>
    public IReadOnlyList<SensitivityNoOp> NoOps { get; private set; } = [];

    /// <summary>Results in the folder after the last save (all layers and rates, not only this run's).</summary>
    public int SavedResults { get; private set; }

    /// <summary>What this analysis is measured with (digests the weights file and the data split).</summary>
    public SensitivityIdentity Identity() => SensitivityIdentity.Measure(source.Path, data, imgSize, batchSize, options);

    /// <summary>
    /// Evaluates every planned (layer, rate) not yet in <paramref name="outputDir"/> and returns the whole folder's
    /// results (every layer and rate there, by layer then rate). The folder's <c>analysis.json</c> must have been
    /// measured with this analysis's <see cref="Identity"/>; a new folder gets one.
    /// </summary>
    /// <exception cref="SensitivityDataException">The folder holds another analysis (see <see cref="SensitivityFolder.CheckResumable"/>).</exception>
    public IReadOnlyList<SensitivityResult> Run(string outputDir, IProgress<SensitivityProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var folder = new SensitivityFolder(outputDir);
        var identity = Identity();
        var record = folder.CheckResumable(identity);
        Directory.CreateDirectory(outputDir);
        var results = folder.ReadResults();
        var plan = Plan();
        var pending = plan.Where(v => !results.ContainsKey(v)).ToList();
        var skipped = plan.Count - pending.Count;
        var noOps = record?.NoOps.ToList() ?? [];
        Baseline = record?.Baseline;
        NoOps = noOps;
        SavedResults = results.Count;
        var clock = Stopwatch.StartNew();
        var doneThisRun = 0;
        RemainingTimeEstimate? estimate = null;

        void Report() =>
            progress?.Report(new SensitivityProgress(skipped + doneThisRun, plan.Count, skipped, clock.Elapsed, estimate?.Remaining(doneThisRun), results.Values.ToList(),
                pending.Count > doneThisRun ? pending[doneThisRun] : null));

        Report();
        if (pending.Count == 0)
            return Ordered(results);

        Model.eval();
        var graph = ConnectivityGraph.Build(Model);
        var pixels = ConvPixelMap.Measure(Model);
        var baseline = ModelMeasure.Measure(Model, imgSize, pixels);
        var nms = options.Nms ?? NmsOptions.ForTest;
        var gridSize = ModelEvaluator.GridSize(Model);
        ModelEvaluator.CheckClassCount(Model, data, source.Path);
        var rates = (record?.Rates ?? []).Concat(options.Rates).Distinct().Order().ToList();
        record = new SensitivityRecord(SensitivityRecord.CurrentFormat, SensitivityRecord.CurrentToolVersion,
            record?.Model ?? Path.GetFileName(source.Path), record?.Data ?? data.YamlPath, identity, rates,
            Model.PrunableLayers.Count, Baseline, noOps);

        void Finished(int layer, double rate, PruningPlan pruned)
        {
            // The pruner leaves a layer alone when the rate would remove all its filters: no step for it in the plan.
            if (pruned.Steps.All(step => step.Layer != layer) && !noOps.Any(n => n.Layer == layer && n.Rate.Equals(rate)))
                noOps.Add(new SensitivityNoOp(layer, rate, graph.Layers[layer].Unit.OutChannels));
        }

        void SaveAll()
        {
            noOps.Sort((a, b) => a.Layer != b.Layer ? a.Layer.CompareTo(b.Layer) : a.Rate.CompareTo(b.Rate));
            // The record first: a crash before the result files leaves at most a no-op mark without its result,
            // never a result whose no-op mark is lost.
            record = record with { Baseline = Baseline, NoOps = noOps.ToList() };
            folder.WriteRecord(record);
            Save(outputDir, results);
            NoOps = record.NoOps;
            SavedResults = results.Count;
        }

        if (options.Naive)
        {
            if (Baseline is null)
            {
                using var copy = ModelBuilder.Copy(Model);
                using var set = ValidationSet.Load(data, "val", imgSize, batchSize, gridSize, options: new ValidationSetOptions { ShareDecodedImages = false });
                Baseline = ToBaseline(ModelEvaluator.Evaluate(copy.Fuse(), set, new EvaluationOptions { Nms = nms, MeasureModel = false }).Metrics, baseline);
            }
            SaveAll();
            estimate = new RemainingTimeEstimate(pending.Select(_ => 1.0).ToList());
            foreach (var variant in pending)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var took = Stopwatch.StartNew();
                var (result, pruned) = EvaluateNaive(variant, gridSize, nms);
                results[variant] = result;
                Finished(variant.Layer, variant.Rate, pruned);
                NativeAllocator.ReleaseFreeMemory();
                estimate.Finished(doneThisRun, took.Elapsed);
                doneThisRun++;
                SaveAll();
                Report();
            }
        }
        else
        {
            using var set = ValidationSet.Load(data, "val", imgSize, batchSize, gridSize);
            // Evaluated fused, as the paper's test.py does; fusing is deterministic, so the fused unpruned rows equal
            // the rows a fused pruned copy has upstream of its pruned layer.
            using var fused = ModelBuilder.Copy(Model).Fuse();
            fused.eval();
            Baseline ??= ToBaseline(ModelEvaluator.Evaluate(fused, set, new EvaluationOptions { Nms = nms, MeasureModel = false }).Metrics, baseline);
            SaveAll();
            var variants = pending.Select(v => Describe(graph, baseline, v)).ToList();
            var work = variants.Select(v => ReachedGflops(v, baseline)).ToList();
            estimate = new RemainingTimeEstimate(work);
            using var shared = new SharedActivations(fused, set.Batches, variants, options.ActivationCacheBytes, gridSize);
            var release = ReleaseOnGrowth.ForProcess(1L << 30);
            // One variant at a time when every batch is kept; otherwise groups share each forward of the other batches.
            foreach (var group in variants.Chunk(shared.AllResident ? 1 : Math.Max(1, options.VariantsPerGroup)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var took = Stopwatch.StartNew();
                var fillBefore = shared.FillTicks;
                foreach (var (result, pruned) in EvaluateGroup(group, set, shared, nms, cancellationToken))
                {
                    results[(result.Layer, result.Rate)] = result;
                    Finished(result.Layer, result.Rate, pruned);
                }
                // Filling the kept batches is a one-off: left out of the per-variant times the estimate learns from.
                estimate.FinishedTogether(doneThisRun, group.Length, took.Elapsed - TimeSpan.FromTicks(shared.FillTicks - fillBefore));
                foreach (var variant in group)
                    shared.Finished(variant);
                doneThisRun += group.Length;
                release.Check();
                SaveAll();
                Report();
            }
            CacheUse = new ActivationCacheUse(shared.ResidentBatches, set.Batches.Count, shared.PeakBytes, shared.NeededBytes);
        }
        return Ordered(results);
    }

    private static SensitivityBaseline ToBaseline(DetectionMetrics m, ModelStats stats) =>
        new(m.Mp, m.Mr, m.Map50, m.Map, stats.Params, stats.ParamsFused, Math.Round(stats.Gflops, 3));

    // Which filters the single-layer pruning removes: scored on the unpruned weights, exactly what Pruner does first.
    private SensitivityVariant Describe(ConnectivityGraph graph, ModelStats baseline, (int Layer, double Rate) v)
    {
        var group = graph.GroupOf(v.Layer);
        var channels = graph.Layers[v.Layer].Unit.OutChannels;
        long[] removed = [];
        if (Pruner.SkipReason(v.Rate, channels, options.RoundTo) == null)
        {
            var kept = Importance.Keep(graph, v.Layer, Pruner.FiltersToRemove(v.Rate, channels, options.RoundTo)).ToHashSet();
            removed = Enumerable.Range(0, (int)channels).Select(i => (long)i).Where(i => !kept.Contains(i)).ToArray();
        }
        var affected = AffectedRows(group.Select(i => graph.Layers[i].YamlLayer));
        return new SensitivityVariant(v.Layer, v.Rate, removed, affected, PruningCost.Of(graph, baseline, v.Layer, removed.Length), baseline);
    }

    // Rows read only from earlier rows, so one forward sweep closes the set. Rows the inference output does not depend
    // on (IAuxDetect's auxiliary branch) are left out; the head row always counts (see SensitivityVariant.Affected).
    private bool[] AffectedRows(IEnumerable<int> prunedRows)
    {
        var rows = Model.Cfg.Layers;
        var affected = new bool[rows.Count];
        foreach (var row in prunedRows)
            affected[row] = true;
        for (var i = 1; i < rows.Count; i++)
            affected[i] |= rows[i].ResolvedFrom.Any(f => affected[f]);
        for (var i = 0; i < rows.Count; i++)
            affected[i] &= Model.InferenceRows[i];
        affected[^1] = true;
        return affected;
    }

    // What a fast variant computes itself: the unpruned GFLOPs of its affected rows and of the head convs of the levels
    // they feed (auxiliary head convs never run). Only the time estimate uses it.
    private double ReachedGflops(SensitivityVariant variant, ModelStats baseline)
    {
        var headInputs = Model.Cfg.Layers[^1].ResolvedFrom;
        var body = baseline.Layers.Where(l => !l.IsHead && variant.Affected[l.YamlLayer]).Sum(l => l.Gflops);
        var heads = baseline.Layers.Where(l => l.IsHead).Take(Model.Head.Levels)
            .Where((_, level) => variant.Affected[headInputs[level]]).Sum(l => l.Gflops);
        return body + heads;
    }

    // Criterion 6 draws one generator per layer (FilterImportance.RandomSeed), so fast and naive mode, a resume and
    // `prune` remove the same filters.
    private FilterImportance Importance => new(options.Criterion, options.Seed, options.ImportancePrecision switch
    {
        "stored" => ImportancePrecision.Stored,
        "float32" => ImportancePrecision.Float32,
        var other => throw new PruningException($"importance precision '{other}': use stored or float32"),
    });

    // Each variant really is the pruned network (a pruned copy), so its numbers equal the paper's way exactly; what is
    // shared is the decoded set and, per batch, every activation and detection level the pruned layer does not reach
    // (the same weights on the same inputs give the same values).
    private IEnumerable<(SensitivityResult Result, PruningPlan Plan)> EvaluateGroup(IReadOnlyList<SensitivityVariant> group, ValidationSet set, SharedActivations shared, NmsOptions nms, CancellationToken cancellationToken)
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
            var device = pruned[0].parameters().First().device;
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
                var lease = shared.For(batch, Images, group);
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
                    // Charged: the variant's own rows plus its share of the unpruned forward.
                    inferenceTicks[v] += clock.Elapsed.Ticks + lease.TicksPerVariant;
                    nmsTicks[v] += scorer.AddBatch(predictions, batch, accumulators[v]).Ticks;
                }
            }
            return group.Select((variant, v) => (ToResult(variant, accumulators[v].Compute(), TimeSpan.FromTicks(inferenceTicks[v]), TimeSpan.FromTicks(nmsTicks[v]), set.Images.Count), plans[v])).ToList();
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
        var plan = Pruner.Prune(ConnectivityGraph.Build(copy), [new LayerRate(variant.Layer, variant.Rate)], Importance, options.RoundTo);
        copy.Fuse().eval();
        return (copy, plan);
    }

    private (SensitivityResult Result, PruningPlan Plan) EvaluateNaive((int Layer, double Rate) v, int gridSize, NmsOptions nms)
    {
        using var copy = ModelBuilder.Copy(Model);
        var graph = ConnectivityGraph.Build(copy);
        var baseline = ModelMeasure.Measure(copy, imgSize);
        var plan = Pruner.Prune(graph, [new LayerRate(v.Layer, v.Rate)], Importance, options.RoundTo);
        var measured = ModelMeasure.Measure(copy, imgSize);
        // As the paper's test.py: a fresh data loader (decode and letterbox every image again) per evaluation.
        using var set = ValidationSet.Load(data, "val", imgSize, batchSize, gridSize, options: new ValidationSetOptions { ShareDecodedImages = false });
        var result = ModelEvaluator.Evaluate(copy.Fuse(), set, new EvaluationOptions { Nms = nms, MeasureModel = false });
        var saving = new PruningCost.Saving(baseline.Params - measured.Params, baseline.ParamsFused - measured.ParamsFused, baseline.Gflops - measured.Gflops);
        var variant = new SensitivityVariant(v.Layer, v.Rate, [], [], saving, baseline);
        return (ToResult(variant, result.Metrics, TimeSpan.FromMilliseconds(result.Speed.InferenceMs * set.Images.Count), TimeSpan.FromMilliseconds(result.Speed.NmsMs * set.Images.Count), set.Images.Count), plan);
    }

    private SensitivityResult ToResult(SensitivityVariant v, DetectionMetrics m, TimeSpan inference, TimeSpan nms, int images)
    {
        var inferenceMs = inference.TotalMilliseconds / images;
        var nmsMs = nms.TotalMilliseconds / images;
        return new SensitivityResult(v.Layer, v.Rate, m.Mp, m.Mr, m.Map50, m.Map, m.Maps.ToArray(),
            new SensitivityTiming(inferenceMs, nmsMs, inferenceMs + nmsMs, imgSize, imgSize, batchSize),
            v.Baseline.ParamsFused - v.Saving.ParamsFused, Math.Round(v.Baseline.Gflops - v.Saving.Gflops, 3));
    }

    private void Save(string outputDir, Dictionary<(int, double), SensitivityResult> results)
    {
        foreach (var rate in options.Rates)
        {
            var forRate = results.Values.Where(r => r.Rate == rate).OrderBy(r => r.Layer).ToList();
            if (forRate.Count > 0)
                SensitivityFile.Write(outputDir, rate, forRate);
        }
    }

    private static IReadOnlyList<SensitivityResult> Ordered(Dictionary<(int Layer, double Rate), SensitivityResult> results) =>
        results.OrderBy(r => r.Key.Layer).ThenBy(r => r.Key.Rate).Select(r => r.Value).ToList();
}
