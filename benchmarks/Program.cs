using System.Diagnostics;
using System.Globalization;
using PruneCluster.Benchmarks;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Runtime;
using PruneCluster.Engine.Sensitivity;

// prunecluster-bench engine --weights W [--repeats N]
// prunecluster-bench sensitivity --weights W --data D [--img 320] [--batch 32] [--layers 0,10,20] [--rates 0.25,0.5,0.75]
// prunecluster-bench throughput --weights W --data D [--img 320] [--batch 32]
// prunecluster-bench scaleout [--tasks 10000] [--silos 1,2,4,8] [--slots 2] [--ms-per-gflop 1]
NativeAllocator.KeepLargeBuffers(); // as the CLI does; see NativeAllocator
var options = Arguments.Parse(args);
TorchSharp.torch.set_num_threads(Environment.ProcessorCount);
return options.Command switch
{
    "engine" => Engine(options),
    "sensitivity" => Sensitivity(options),
    "throughput" => Throughput(options),
    "scaleout" => ScaleOut.Run(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: prunecluster-bench engine|sensitivity|throughput|scaleout --weights W [--data D] [--img N] [--batch N] [--layers N] [--rates a,b] [--repeats N]");
    return 2;
}

// Load a checkpoint; build the graph and prune every layer at 0.5. Best of N runs and peak resident memory.
static int Engine(Arguments a)
{
    var weights = a.Required("--weights");
    var repeats = a.Int("--repeats", 3);
    ModelFile.Load(weights).Dispose();   // warm up native libraries
    var results = new List<Measurement> { Measurement.Run("load checkpoint", () => ModelFile.Load(weights).Dispose(), repeats) };
    using (var loaded = ModelFile.Load(weights))
        results.Add(Measurement.Run("build connectivity graph", () => ConnectivityGraph.Build(loaded.Model), repeats));
    var prunable = 0;
    results.Add(Measurement.Run("build graph + prune every layer at 0.5", () => ModelFile.Load(weights), loaded =>
    {
        prunable = loaded.Model.PrunableLayers.Count;
        Pruner.Prune(ConnectivityGraph.Build(loaded.Model), PruningParams.Parse("0.5", prunable), new FilterImportance(Criterion.SmallestL2));
    }, loaded => loaded.Dispose(), repeats));
    Console.WriteLine($"| step ({Path.GetFileName(weights)}, {prunable} prunable layers) | best of {repeats} (s) | peak RSS (MiB) |");
    Console.WriteLine("|---|---|---|");
    foreach (var r in results)
        Console.WriteLine($"| {r.Name} | {r.Seconds:F4} | {r.PeakMiB:F0} |");
    return 0;
}

// Naive (the paper's way) and fast sensitivity analysis over the same layers and rates: wall time, ratio, equality.
static int Sensitivity(Arguments a)
{
    using var loaded = ModelFile.Load(a.Required("--weights"));
    var data = DataYaml.Load(a.Required("--data"));
    var img = a.Int("--img", 320);
    var batch = a.Int("--batch", 32);
    var layers = a.Doubles("--layers", Enumerable.Range(0, loaded.Model.PrunableLayers.Count).Select(l => (double)l).ToList()).Select(l => (int)l).ToList();
    var rates = a.Doubles("--rates", [0.25, 0.5, 0.75]);
    var root = Directory.CreateTempSubdirectory("prunecluster-bench-").FullName;
    try
    {
        (TimeSpan, IReadOnlyList<SensitivityResult>) Timed(bool naive)
        {
            var clock = Stopwatch.StartNew();
            var results = new SensitivityAnalysis(loaded, data, img, batch, new SensitivityOptions(rates, Layers: layers, Naive: naive))
                .Run(Path.Combine(root, naive ? "naive" : "fast"), new ConsoleProgress(naive ? "naive" : "fast"));
            return (clock.Elapsed, results);
        }
        var (fastTime, fast) = Timed(naive: false);
        var (naiveTime, naive) = Timed(naive: true);
        var maxDifference = fast.Zip(naive).Max(p => new[] { p.First.Mp - p.Second.Mp, p.First.Mr - p.Second.Mr, p.First.Map50 - p.Second.Map50, p.First.Map - p.Second.Map }
            .Concat(p.First.PerClassMaps.Zip(p.Second.PerClassMaps, (x, y) => x - y)).Max(Math.Abs));
        Console.WriteLine("| model | data | img | evaluations | naive (s) | fast (s) | speed-up | max metric difference |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        Console.WriteLine($"| {Path.GetFileName(loaded.Path)} | {Path.GetFileName(data.YamlPath)} | {img} | {fast.Count} | {naiveTime.TotalSeconds:F1} | {fastTime.TotalSeconds:F1} | {naiveTime / fastTime:F2}× | {maxDifference:G3} |");
        return 0;
    }
    finally
    {
        Directory.Delete(root, recursive: true);
    }
}

// Evaluation throughput (images/s) of one model on a data set, decode excluded (the set is loaded first).
static int Throughput(Arguments a)
{
    using var loaded = ModelFile.Load(a.Required("--weights"));
    var data = DataYaml.Load(a.Required("--data"));
    var img = a.Int("--img", 320);
    using var set = ValidationSet.Load(data, "val", img, a.Int("--batch", 32), ModelEvaluator.GridSize(loaded.Model));
    loaded.Model.Fuse();
    var result = ModelEvaluator.Evaluate(loaded.Model, set, new EvaluationOptions { MeasureModel = false });
    Console.WriteLine($"| {Path.GetFileName(loaded.Path)} | {Path.GetFileName(data.YamlPath)} | {img} | {result.Images} | {result.Speed.InferenceMs:F1} | {result.Speed.NmsMs:F1} | {result.ImagesPerSecond:F2} |");
    return 0;
}

sealed class ConsoleProgress(string label) : IProgress<SensitivityProgress>
{
    public void Report(SensitivityProgress p) =>
        Console.Error.WriteLine($"{label}: {p.Done}/{p.Total} elapsed {p.Elapsed:hh\\:mm\\:ss}" + (p.Remaining is { } r ? $" ETA {r:hh\\:mm\\:ss}" : ""));
}
