using System.Diagnostics;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Runtime;

namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// The paper's sensitivity analysis: for every selected layer and rate, the metrics, fused parameter count and
/// GFLOPs of the model with only that layer pruned. Results go to <c>output_{25,50,75}.txt</c> in the paper's format
/// after every evaluation (after every group of variants when the kept activations do not fit; atomically), and a
/// re-run skips what is already there.
/// <para>
/// Fast mode evaluates through one <see cref="VariantEvaluator"/> (the same code a cluster silo uses), the folder being
/// its result store: it decodes the set once and, per batch, runs the fused unpruned network once for the whole analysis, keeping
/// what the variants read within a memory budget (<see cref="SharedActivations"/>); each variant then runs only
/// the rows its pruned layer reaches (the layer's rows and whatever reads them, directly or not) and only the
/// detection levels fed by those rows, taking every other activation and level from the unpruned run. Masking the
/// removed filters (<see cref="PruningMask"/>) would avoid the per-variant copy but sums in another order, which moves
/// metrics by up to ~2e-6 through flipped detections; the pruned copy keeps fast equal to naive. Every variant is
/// evaluated fused (Conv+BN, RepConv, implicit layers folded), like the paper's test.py. Parameter and
/// GFLOP counts come from <see cref="PruningCost"/>. Naive mode does what the paper's test.py does, for comparison.
/// </para>
/// </summary>
public sealed class SensitivityAnalysis(LoadedModel source, DataYaml data, int imgSize, int batchSize, SensitivityOptions options, EngineRuntime? runtime = null)
{
    // The CLI passes its process's runtime; a caller without one (tests, tools) gets its own.
    private readonly EngineRuntime runtime = runtime ?? EngineRuntime.ForProcess();

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
        ModelEvaluator.CheckClassCount(Model, data, source.Path);
        var rates = (record?.Rates ?? []).Concat(options.Rates).Distinct().Order().ToList();
        record = new SensitivityRecord(SensitivityRecord.CurrentFormat, SensitivityRecord.CurrentToolVersion,
            record?.Model ?? Path.GetFileName(source.Path), record?.Data ?? data.YamlPath, identity, rates,
            Model.PrunableLayers.Count, Baseline, noOps);

        void Finished(VariantOutcome outcome)
        {
            results[(outcome.Result.Layer, outcome.Result.Rate)] = outcome.Result;
            // The pruner leaves a layer alone when the rate would remove all its filters: no step for it in the plan.
            var (layer, rate) = (outcome.Result.Layer, outcome.Result.Rate);
            if (outcome.NoOp && !noOps.Any(n => n.Layer == layer && n.Rate.Equals(rate)))
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
            var gridSize = ModelEvaluator.GridSize(Model);
            var nms = options.Nms ?? NmsOptions.ForTest;
            if (Baseline is null)
            {
                using var copy = ModelBuilder.Copy(Model);
                using var set = ValidationSet.Load(data, SensitivityIdentity.Split, imgSize, batchSize, gridSize);
                Baseline = VariantEvaluator.ToBaseline(ModelEvaluator.Evaluate(copy.Fuse(), set, new EvaluationOptions { Nms = nms, MeasureModel = false }).Metrics,
                    ModelMeasure.Measure(Model, imgSize));
            }
            SaveAll();
            estimate = new RemainingTimeEstimate(pending.Select(_ => 1.0).ToList());
            foreach (var variant in pending)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var took = Stopwatch.StartNew();
                Finished(EvaluateNaive(variant, gridSize, nms));
                runtime.ReleaseFreeMemory();
                estimate.Finished(doneThisRun, took.Elapsed);
                doneThisRun++;
                SaveAll();
                Report();
            }
        }
        else
        {
            using var evaluator = new VariantEvaluator(source, data, imgSize, batchSize, options, runtime);
            Baseline ??= evaluator.EvaluateUnpruned();
            SaveAll();
            evaluator.Expect(pending);
            estimate = new RemainingTimeEstimate(pending.Select(v => evaluator.ReachedGflops(v.Layer, v.Rate)).ToList());
            // One variant at a time when every batch is kept; otherwise groups share each forward of the other batches.
            foreach (var group in pending.Chunk(evaluator.AllResident ? 1 : Math.Max(1, options.VariantsPerGroup)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var took = Stopwatch.StartNew();
                var fillBefore = evaluator.FillTime;
                foreach (var outcome in evaluator.Evaluate(group, cancellationToken))
                    Finished(outcome);
                // Filling the kept batches is a one-off: left out of the per-variant times the estimate learns from.
                estimate.FinishedTogether(doneThisRun, group.Length, took.Elapsed - (evaluator.FillTime - fillBefore));
                doneThisRun += group.Length;
                runtime.ReleaseOnGrowth();
                SaveAll();
                Report();
            }
            CacheUse = evaluator.CacheUse;
        }
        return Ordered(results);
    }

    private VariantOutcome EvaluateNaive((int Layer, double Rate) v, int gridSize, NmsOptions nms)
    {
        using var copy = ModelBuilder.Copy(Model);
        var graph = ConnectivityGraph.Build(copy);
        var baseline = ModelMeasure.Measure(copy, imgSize);
        var plan = Pruner.Prune(graph, [new LayerRate(v.Layer, v.Rate)], options.Importance(), options.RoundTo);
        var measured = ModelMeasure.Measure(copy, imgSize);
        // As the paper's test.py: a fresh data loader (decode and letterbox every image again) per evaluation.
        using var set = ValidationSet.Load(data, SensitivityIdentity.Split, imgSize, batchSize, gridSize);
        var result = ModelEvaluator.Evaluate(copy.Fuse(), set, new EvaluationOptions { Nms = nms, MeasureModel = false });
        var saving = new PruningCost.Saving(baseline.Params - measured.Params, baseline.ParamsFused - measured.ParamsFused, baseline.Gflops - measured.Gflops);
        var variant = new SensitivityVariant(v.Layer, v.Rate, [], [], saving, baseline);
        return new VariantOutcome(VariantEvaluator.ToResult(variant, result.Metrics, TimeSpan.FromMilliseconds(result.Speed.InferenceMs * set.Images.Count),
            TimeSpan.FromMilliseconds(result.Speed.NmsMs * set.Images.Count), set.Images.Count, imgSize, batchSize), plan);
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
