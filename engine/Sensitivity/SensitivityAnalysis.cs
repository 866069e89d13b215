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
/// after every pass (atomically), and a re-run skips what is already there.
/// <para>
/// Fast mode decodes the set once and, per batch, runs the fused unpruned network once; each variant then runs only
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

    public IReadOnlyList<SensitivityResult> Run(string outputDir, IProgress<SensitivityProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(outputDir);
        var results = LoadFinished(outputDir);
        var plan = Plan();
        var pending = plan.Where(v => !results.ContainsKey(v)).ToList();
        var skipped = plan.Count - pending.Count;
        var clock = Stopwatch.StartNew();
        var doneThisRun = 0;

        void Report()
        {
            var remaining = doneThisRun == 0 ? (TimeSpan?)null : clock.Elapsed / doneThisRun * (pending.Count - doneThisRun);
            progress?.Report(new SensitivityProgress(skipped + doneThisRun, plan.Count, skipped, clock.Elapsed, remaining, results.Values.ToList()));
        }

        Report();
        if (pending.Count == 0)
            return Ordered(results, plan);

        Model.eval();
        var graph = ConnectivityGraph.Build(Model);
        var pixels = ConvPixelMap.Measure(Model);
        var baseline = ModelMeasure.Measure(Model, imgSize, pixels);
        var nms = options.Nms ?? NmsOptions.ForTest;
        var gridSize = ModelEvaluator.GridSize(Model);
        ModelEvaluator.CheckClassCount(Model, data, source.Path);

        if (options.Naive)
        {
            foreach (var variant in pending)
            {
                cancellationToken.ThrowIfCancellationRequested();
                results[variant] = EvaluateNaive(variant, gridSize, nms);
                NativeAllocator.ReleaseFreeMemory();
                doneThisRun++;
                Save(outputDir, results);
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
            foreach (var pass in pending.Chunk(Math.Max(1, options.VariantsPerPass)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var variants = pass.Select(v => Describe(graph, baseline, v)).ToList();
                foreach (var result in EvaluatePass(fused, set, variants, nms, cancellationToken))
                    results[(result.Layer, result.Rate)] = result;
                NativeAllocator.ReleaseFreeMemory();
                doneThisRun += pass.Length;
                Save(outputDir, results);
                Report();
            }
        }
        return Ordered(results, plan);
    }

    /// <param name="Affected">Per cfg row: whether pruning changes its output (the group's rows and every row reading one, directly or not).</param>
    private sealed record Variant(int Layer, double Rate, long[] Removed, bool[] Affected, PruningCost.Saving Saving, ModelStats Baseline);

    // Which filters the single-layer pruning removes: scored on the unpruned weights, exactly what Pruner does first.
    private Variant Describe(ConnectivityGraph graph, ModelStats baseline, (int Layer, double Rate) v)
    {
        var group = graph.GroupOf(v.Layer);
        var units = group.Select(i => graph.Layers[i].Unit).ToList();
        var channels = units[0].OutChannels;
        var remove = Pruner.FiltersToRemove(v.Rate, channels);
        long[] removed = [];
        if (remove > 0 && remove < channels)
        {
            using var score = VariantImportance(v.Layer).Score(units);
            using var keep = FilterImportance.KeepAfterRemoving(score, remove);
            var kept = keep.data<long>().ToHashSet();
            removed = Enumerable.Range(0, (int)channels).Select(i => (long)i).Where(i => !kept.Contains(i)).ToArray();
        }
        var affected = AffectedRows(group.Select(i => graph.Layers[i].YamlLayer));
        return new Variant(v.Layer, v.Rate, removed, affected, PruningCost.Of(graph, baseline, v.Layer, removed.Length), baseline);
    }

    // Rows read only from earlier rows, so one forward sweep closes the set. The head row always counts as affected:
    // it is where the variant's levels are recomputed or taken from the unpruned model.
    private bool[] AffectedRows(IEnumerable<int> prunedRows)
    {
        var rows = Model.Cfg.Layers;
        var affected = new bool[rows.Count];
        foreach (var row in prunedRows)
            affected[row] = true;
        for (var i = 1; i < rows.Count; i++)
            affected[i] |= rows[i].ResolvedFrom.Any(f => affected[f]);
        affected[^1] = true;
        return affected;
    }

    // One generator per layer, so a random criterion picks the same filters in fast and naive mode and on resume.
    private FilterImportance VariantImportance(int layer) => new(options.Criterion, options.Seed * 100_003 + layer);

    private IEnumerable<SensitivityResult> EvaluatePass(YoloModel fused, ValidationSet set, IReadOnlyList<Variant> variants, NmsOptions nms, CancellationToken cancellationToken)
    {
        var device = fused.parameters().First().device;
        var accumulators = variants.Select(_ => new MetricsAccumulator(Model.Nc)).ToList();
        var inferenceTicks = new long[variants.Count];
        var nmsTicks = new long[variants.Count];
        var scorer = new DetectionScorer(nms);
        var rows = Model.Cfg.Layers;
        var headRow = rows.Count - 1;
        var headInputs = rows[headRow].ResolvedFrom;
        var forward = SharedForward.For(Model.Cfg, Model.Head.Levels, variants);
        // Each variant really is the pruned network (a pruned copy), so its numbers equal the paper's way exactly;
        // what is shared is the decoded set and, per batch, every activation and detection level the pruned layer
        // does not reach (the same weights on the same inputs give the same values).
        var pruned = variants.Select(v => PrunedCopy(v)).ToList();
        try
        {
            using var _ = no_grad();
            foreach (var batch in set.Batches)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var images = batch.CreateImages(device);
                var shared = new Tensor?[rows.Count];
                var baseClock = Stopwatch.StartNew();
                fused.RunLayers(images, 0, shared, _ => { }, keep: r => forward.Keep[r], stopBefore: headRow, run: r => forward.Run[r]);
                var sharedLevels = forward.LevelShared.Select((isShared, i) => isShared ? fused.Head.RawLevel(i, shared[headInputs[i]]!) : null).ToArray();
                // Each variant is charged its share of the shared forward plus its own rows: honest per-image timing.
                var sharedTicks = baseClock.Elapsed.Ticks / variants.Count;
                for (var v = 0; v < variants.Count; v++)
                {
                    var (affected, model) = (variants[v].Affected, pruned[v]);
                    var clock = Stopwatch.StartNew();
                    using var variantScope = NewDisposeScope();
                    var outputs = (Tensor?[])shared.Clone();
                    Tensor predictions = null!;
                    model.RunLayers(images, Array.IndexOf(affected, true), outputs,
                        heads => predictions = model.Head.Decode(sharedLevels.Select((level, i) => affected[headInputs[i]] ? model.Head.RawLevel(i, heads[i]) : level!).ToList()),
                        keep: r => !affected[r], run: r => affected[r]);
                    inferenceTicks[v] += clock.Elapsed.Ticks + sharedTicks;
                    nmsTicks[v] += scorer.AddBatch(predictions, batch, accumulators[v]).Ticks;
                }
            }
        }
        finally
        {
            foreach (var copy in pruned)
                copy.Dispose();
        }
        for (var v = 0; v < variants.Count; v++)
            yield return ToResult(variants[v], accumulators[v].Compute(), TimeSpan.FromTicks(inferenceTicks[v]), TimeSpan.FromTicks(nmsTicks[v]), set.Images.Count);
    }

    /// <summary>What the unpruned forward of a pass computes (<see cref="Run"/>) and keeps for the whole batch
    /// (<see cref="Keep"/>): the unaffected rows some variant reads, the inputs of the detection levels some variant
    /// does not reach (<see cref="LevelShared"/>), and whatever those are computed from. For the first layers that is
    /// little. Rows read only from earlier rows, so one backward sweep closes the set.</summary>
    private sealed record SharedForward(bool[] Run, bool[] Keep, bool[] LevelShared)
    {
        public static SharedForward For(YoloCfg cfg, int levels, IReadOnlyList<Variant> variants)
        {
            var rows = cfg.Layers;
            var headInputs = rows[^1].ResolvedFrom;
            var keep = new bool[rows.Count];
            foreach (var v in variants)
                for (var i = 1; i < rows.Count; i++)
                    if (v.Affected[i])
                        foreach (var f in rows[i].ResolvedFrom.Where(f => !v.Affected[f]))
                            keep[f] = true;
            var levelShared = Enumerable.Range(0, levels).Select(i => variants.Any(v => !v.Affected[headInputs[i]])).ToArray();
            for (var i = 0; i < levelShared.Length; i++)
                keep[headInputs[i]] |= levelShared[i];
            var run = (bool[])keep.Clone();
            for (var r = rows.Count - 2; r > 0; r--)
                if (run[r])
                    foreach (var f in rows[r].ResolvedFrom)
                        run[f] = true;
            return new SharedForward(run, keep, levelShared);
        }
    }

    private YoloModel PrunedCopy(Variant variant)
    {
        var copy = ModelBuilder.Copy(Model);
        if (variant.Removed.Length > 0)
            Pruner.Prune(ConnectivityGraph.Build(copy), [new LayerRate(variant.Layer, variant.Rate)], VariantImportance(variant.Layer));
        copy.Fuse().eval();
        return copy;
    }

    private SensitivityResult EvaluateNaive((int Layer, double Rate) v, int gridSize, NmsOptions nms)
    {
        using var copy = ModelBuilder.Copy(Model);
        var graph = ConnectivityGraph.Build(copy);
        var baseline = ModelMeasure.Measure(copy, imgSize);
        Pruner.Prune(graph, [new LayerRate(v.Layer, v.Rate)], VariantImportance(v.Layer));
        var measured = ModelMeasure.Measure(copy, imgSize);
        // As the paper's test.py: a fresh data loader (decode and letterbox every image again) per evaluation.
        using var set = ValidationSet.Load(data, "val", imgSize, batchSize, gridSize, options: new ValidationSetOptions { ShareDecodedImages = false });
        var result = ModelEvaluator.Evaluate(copy.Fuse(), set, new EvaluationOptions { Nms = nms, MeasureModel = false });
        var saving = new PruningCost.Saving(baseline.Params - measured.Params, baseline.ParamsFused - measured.ParamsFused, baseline.Gflops - measured.Gflops);
        var variant = new Variant(v.Layer, v.Rate, [], [], saving, baseline);
        return ToResult(variant, result.Metrics, TimeSpan.FromMilliseconds(result.Speed.InferenceMs * set.Images.Count), TimeSpan.FromMilliseconds(result.Speed.NmsMs * set.Images.Count), set.Images.Count);
    }

    private SensitivityResult ToResult(Variant v, DetectionMetrics m, TimeSpan inference, TimeSpan nms, int images)
    {
        var inferenceMs = inference.TotalMilliseconds / images;
        var nmsMs = nms.TotalMilliseconds / images;
        return new SensitivityResult(v.Layer, v.Rate, m.Mp, m.Mr, m.Map50, m.Map, m.Maps.ToArray(),
            new SensitivityTiming(inferenceMs, nmsMs, inferenceMs + nmsMs, imgSize, imgSize, batchSize),
            v.Baseline.ParamsFused - v.Saving.ParamsFused, Math.Round(v.Baseline.Gflops - v.Saving.Gflops, 3));
    }

    private Dictionary<(int, double), SensitivityResult> LoadFinished(string outputDir)
    {
        var results = new Dictionary<(int, double), SensitivityResult>();
        foreach (var rate in options.Rates)
        {
            var path = Path.Combine(outputDir, SensitivityFile.FileName(rate));
            if (!File.Exists(path))
                continue;
            foreach (var r in SensitivityFile.Read(path))
                results[(r.Layer, rate)] = r with { Rate = rate };
        }
        return results;
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

    private static IReadOnlyList<SensitivityResult> Ordered(Dictionary<(int, double), SensitivityResult> results, IReadOnlyList<(int Layer, double Rate)> plan) =>
        plan.Where(results.ContainsKey).Select(v => results[v]).ToList();
}
