using System.Globalization;
using PruneCluster.Engine.Benchmark;
using PruneCluster.Engine.Export;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;

namespace PruneCluster.Benchmarks;

/// <summary>
/// <c>prunecluster-bench latency --weights W [--img 640] [--threads 1] [--warmup 2] [--runs 10] [--profile-runs 3]
/// [--target 0.5] [--round-to 8] [--rates 0.5]</c>: one model unpruned, pruned by a selected list (layers at 0.5) to
/// about --target less GFLOPs, and with every layer at each of --rates, each with and without --round-to; for each, ONNX Runtime's latency and conv-only
/// time (profiler) and TorchSharp's latency, measured one after the other in this process. Prints a markdown table.
/// </summary>
public static class Latency
{
    private const double Rate = 0.5;

    public static int Run(Arguments a)
    {
        var weights = a.Required("--weights");
        var img = a.Int("--img", 640);
        var threads = a.Int("--threads", 1);
        var roundTo = a.Int("--round-to", 8);
        var target = a.Doubles("--target", [0.5])[0];
        var options = new LatencyOptions(img, 1, threads, a.Int("--warmup", 2), a.Int("--runs", 10), a.Int("--profile-runs", 3));
        TorchSharp.torch.set_num_threads(threads);
        var importance = new FilterImportance(Criterion.SmallestL2);
        var everyLayerRates = a.Doubles("--rates", [Rate]);
        IReadOnlyList<LayerRate> selected;
        int prunable;
        using (var reference = ModelFile.Load(weights))
        {
            selected = SelectForGflops(reference.Model, img, target, importance);
            prunable = reference.Model.PrunableLayers.Count;
        }
        Console.WriteLine($"selected list ({selected.Count} layers at {Rate}, largest predicted GFLOPs saving first until the pruned model measures ≥ {target:P0} fewer): {PruningParams.Format(selected)}");
        var variants = new List<(string Name, IReadOnlyList<LayerRate> Rates, int RoundTo)>
        {
            ("unpruned", [], 1),
            ("selected list", selected, 1),
            ($"selected list, round-to {roundTo}", selected, roundTo),
        };
        foreach (var rate in everyLayerRates)
        {
            var all = PruningParams.Parse(rate.ToString(CultureInfo.InvariantCulture), prunable);
            variants.Add(($"every layer at {rate}", all, 1));
            variants.Add(($"every layer at {rate}, round-to {roundTo}", all, roundTo));
        }
        var rows = new List<(string Name, double Gflops, LatencyResult Ort, LatencyResult Torch, string Load)>();
        foreach (var (name, rates, round) in variants)
        {
            using var loaded = ModelFile.Load(weights);
            Pruner.Prune(ConnectivityGraph.Build(loaded.Model), rates, importance, round);
            loaded.Model.Fuse();
            var gflops = ModelMeasure.Measure(loaded.Model, img).Gflops;
            var ort = LatencyBenchmark.OnnxRuntime(OnnxExporter.Build(loaded.Model, new OnnxExportOptions(img)), options, new Progress(name + " (onnxruntime)"));
            var torch = LatencyBenchmark.Torch(loaded.Model, options, new Progress(name + " (torch)"));
            rows.Add((name, gflops, ort, torch, File.ReadAllText("/proc/loadavg").Split(' ')[0]));
        }
        var b = rows[0];
        Console.WriteLine($"| {Path.GetFileName(weights)} @ {img}, batch 1, {threads} thread(s) | GFLOPs | GFLOPs ratio | ORT median ms | ORT p90 ms | ORT speed-up | ORT CPU ms | ORT CPU speed-up | ORT conv ms | conv speed-up | conv speed-up / GFLOPs ratio | TorchSharp median ms | TorchSharp CPU ms | TorchSharp CPU speed-up | load (1 min) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            var ratio = b.Gflops / r.Gflops;
            var conv = b.Ort.ConvTotalMs!.Value / r.Ort.ConvTotalMs!.Value;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Gflops:F2} | {ratio:F2} | {r.Ort.MedianMs:F0} | {r.Ort.P90Ms:F0} | {b.Ort.MedianMs / r.Ort.MedianMs:F2} | {r.Ort.MedianCpuMs:F0} | {b.Ort.MedianCpuMs / r.Ort.MedianCpuMs:F2} | {r.Ort.ConvTotalMs:F0} | {conv:F2} | {conv / ratio:F2} | {r.Torch.MedianMs:F0} | {r.Torch.MedianCpuMs:F0} | {b.Torch.MedianCpuMs / r.Torch.MedianCpuMs:F2} | {r.Load} |"));
        }
        return 0;
    }

    // Layers at 0.5, the largest predicted GFLOPs saving (PruningCost, each alone) first, added until the really pruned
    // model has `target` fewer GFLOPs (savings of a producer and its consumer overlap, so the prediction runs ahead).
    private static IReadOnlyList<LayerRate> SelectForGflops(YoloModel model, int img, double target, FilterImportance importance)
    {
        var baseline = ModelMeasure.Measure(model, img);
        var graph = ConnectivityGraph.Build(model);
        var candidates = model.PrunableLayers
            .Where(l => Pruner.SkipReason(Rate, l.Unit.OutChannels) == null)
            .Select(l => (l.Index, Saving: PruningCost.Of(graph, baseline, l.Index, Pruner.FiltersToRemove(Rate, l.Unit.OutChannels)).Gflops))
            .OrderByDescending(c => c.Saving).ToList();
        var chosen = new List<LayerRate>();
        double predicted = 0;
        foreach (var (layer, saving) in candidates)
        {
            chosen.Add(new LayerRate(layer, Rate));
            predicted += saving;
            if (predicted < target * baseline.Gflops)
                continue;
            using var copy = ModelBuilder.Copy(model);
            Pruner.Prune(ConnectivityGraph.Build(copy), chosen.OrderBy(c => c.Layer).ToList(), importance);
            if (ModelMeasure.Measure(copy, img).Gflops <= (1 - target) * baseline.Gflops)
                break;
        }
        return chosen.OrderBy(c => c.Layer).ToList();
    }

    private sealed class Progress(string label) : IProgress<BenchmarkProgress>
    {
        private DateTime last = DateTime.MinValue;

        public void Report(BenchmarkProgress p)
        {
            if (DateTime.UtcNow - last < TimeSpan.FromSeconds(20) && p.Done != p.Total)
                return;
            last = DateTime.UtcNow;
            Console.Error.WriteLine($"{label}: {p.Phase} {p.Done}/{p.Total}, ETA {p.Elapsed / p.Done * (p.Total - p.Done):hh\\:mm\\:ss}");
        }
    }
}
