using System.Diagnostics;
using System.Globalization;
using PruneCluster.Benchmarks;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Data.Synthetic;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Runtime;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Engine.Training.Data;

// prunecluster-bench engine --weights W [--repeats N]
// prunecluster-bench sensitivity --weights W --data D [--img 320] [--batch 32] [--layers 0,10,20] [--rates 0.25,0.5,0.75]
// prunecluster-bench throughput --weights W --data D [--img 320] [--batch 32]
// prunecluster-bench loader --data D [--img 320] [--batch 16] [--workers 2] [--epochs 3] [--cache 0|1]
// prunecluster-bench synth [--images 1000] [--img 320] [--classes 4]
// prunecluster-bench learnability [--kinds "circle,ring;circle,square"] [--epochs 20] [--images 512] [--img 64] [--batch 8] [--hyp synth.adam.tiny]
// prunecluster-bench cluster-sensitivity --weights W --data D [--img 320] [--batch 32] [--layers ...] [--rates ...]
// prunecluster-bench scaleout [--tasks 10000] [--silos 1,2,4,8] [--slots 2] [--ms-per-gflop 1]
// prunecluster-bench latency --weights W [--img 640] [--threads 1] [--warmup 2] [--runs 10] [--profile-runs 3] [--target 0.5] [--round-to 8]
NativeAllocator.KeepLargeBuffers(); // as the CLI does; see NativeAllocator
var options = Arguments.Parse(args);
TorchSharp.torch.set_num_threads(Environment.ProcessorCount);
return options.Command switch
{
    "engine" => Engine(options),
    "sensitivity" => Sensitivity(options),
    "throughput" => Throughput(options),
    "loader" => Loader(options),
    "synth" => Synth(options),
    "learnability" => Learnability.Run(options),
    "scaleout" => ScaleOut.Run(options),
    "cluster-sensitivity" => ClusterSensitivity.Run(options),
    "latency" => Latency.Run(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: prunecluster-bench engine|sensitivity|cluster-sensitivity|throughput|loader|synth|learnability|scaleout|latency --weights W [--data D] [--img N] [--batch N] [--layers N] [--rates a,b] [--repeats N]");
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

// Training loader throughput (images/s) with hyp.scratch.tiny's augmentation: the consumer only takes the batches,
// so this is what the workers alone can feed a trainer.
static int Loader(Arguments a)
{
    var set = TrainingSet.Load(DataYaml.Load(a.Required("--data")));
    var options = new TrainingLoaderOptions
    {
        ImageSize = a.Int("--img", 320), BatchSize = a.Int("--batch", 16), Workers = a.Int("--workers", 2), CacheImages = a.Int("--cache", 0) == 1,
    };
    using var loader = new TrainingLoader(set, options, new AugmentationOptions());
    var epochs = a.Int("--epochs", 3);
    var perEpoch = new List<double>();
    for (var epoch = 0; epoch < epochs; epoch++)
    {
        var clock = Stopwatch.StartNew();
        foreach (var batch in loader.Epoch(epoch))
            batch.Dispose();
        perEpoch.Add(set.Count / clock.Elapsed.TotalSeconds);
    }
    Console.WriteLine($"| {Path.GetFileName(a.Required("--data"))} ({set.Count} images) | {options.ImageSize} | {options.BatchSize} | {options.Workers} | {(options.CacheImages ? "yes" : "no")} | "
        + string.Join(" / ", perEpoch.Select(x => x.ToString("F1", CultureInfo.InvariantCulture))) + " |");
    return 0;
}

// Synthetic data set: rendering and PNG encoding per image on one thread, then the whole write on 1 and on all
// cores. CPU time is given beside wall time because these shared machines are often loaded.
static int Synth(Arguments a)
{
    var options = new SyntheticDatasetOptions { Images = a.Int("--images", 1000), ImageSize = a.Int("--img", 320), Classes = a.Int("--classes", 4) };
    var sample = Math.Min(options.Images, 200);
    var scenes = new SyntheticScene[sample];
    SyntheticSceneGenerator.Render(options, 0); // warm up (JIT, OpenCV)
    var rows = new List<(string Step, int Images, double Wall, double Cpu)>
    {
        Timed($"render {sample} images, 1 thread", sample, () =>
        {
            for (var i = 0; i < sample; i++)
                scenes[i] = SyntheticSceneGenerator.Render(options, i);
        }),
    };
    long bytes = 0;
    rows.Add(Timed($"encode {sample} PNGs, 1 thread", sample, () => bytes = scenes.Sum(s => (long)SyntheticDataset.EncodePng(s).Length)));
    var root = Directory.CreateTempSubdirectory("prunecluster-bench-").FullName;
    try
    {
        foreach (var threads in new[] { 1, Environment.ProcessorCount }.Distinct())
            rows.Add(Timed($"write {options.Images} images, {threads} thread(s)", options.Images,
                () => SyntheticDataset.Write(Path.Combine(root, "set"), options with { Threads = threads }, overwrite: true)));
        Console.WriteLine($"| step ({options.ImageSize}x{options.ImageSize}, {options.Classes} classes) | wall (s) | CPU (s) | CPU ms per image |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var r in rows)
            Console.WriteLine($"| {r.Step} | {r.Wall:F2} | {r.Cpu:F2} | {r.Cpu * 1000 / r.Images:F2} |");
        Console.WriteLine($"PNG size: {bytes / sample / 1024.0:F1} KiB per image; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        return 0;
    }
    finally
    {
        Directory.Delete(root, recursive: true);
    }

    static (string, int, double, double) Timed(string step, int images, Action action)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        action();
        var wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return (step, images, wall, (process.TotalProcessorTime - cpu).TotalSeconds);
    }
}

sealed class ConsoleProgress(string label) : IProgress<SensitivityProgress>
{
    public void Report(SensitivityProgress p) =>
        Console.Error.WriteLine($"{label}: {p.Done}/{p.Total} elapsed {p.Elapsed:hh\\:mm\\:ss}" + (p.Remaining is { } r ? $" ETA {r:hh\\:mm\\:ss}" : ""));
}
