using System.Collections.Immutable;
using System.Diagnostics;
using Orleans.TestingHost;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Grains;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Evaluation;

namespace PruneCluster.Benchmarks;

/// <summary>
/// One sensitivity iteration on a one-silo in-process cluster with the engine evaluator (one slot) against the local
/// analysis (<see cref="SensitivityAnalysis.Run"/>, what the <c>sensitivity</c> command runs) in the same process:
/// wall and CPU time of each, their ratio, and whether every number agrees. The cluster's time runs from opening the
/// iteration to its last result and includes the slot's setup (model from the artifact store, data check, decode);
/// starting and stopping the in-process silo are left out (a silo serves many iterations), and reported apart.
/// </summary>
public static class ClusterSensitivity
{
    public static int Run(Arguments a)
    {
        var weights = a.Required("--weights");
        var yaml = a.Required("--data");
        var img = a.Int("--img", 320);
        var batch = a.Int("--batch", 32);
        var rates = a.Doubles("--rates", [0.25, 0.5, 0.75]);
        int[] layers;
        double[] costs;   // per prunable layer: what the campaign's plan hands out first (SensitivityPlan's cost)
        using (var probe = ModelFile.Load(weights))
        {
            layers = [.. a.Doubles("--layers", [.. Enumerable.Range(0, probe.Model.PrunableLayers.Count).Select(l => (double)l)]).Select(l => (int)l)];
            var graph = ConnectivityGraph.Build(probe.Model);
            var stats = ModelMeasure.Measure(probe.Model, img);
            costs = [.. Enumerable.Range(0, probe.Model.PrunableLayers.Count).Select(l => VariantReach.Gflops(probe.Model, graph, stats, l))];
        }
        var root = Directory.CreateTempSubdirectory("prunecluster-bench-").FullName;
        try
        {
            // --local-first 1 swaps the order, to see what running second costs (the first run leaves a warm, fragmented heap).
            var hostSeconds = 0.0;
            (double, double, string, ImmutableArray<VariantResult>) Cluster()
            {
                var (wall, cpu, load, (results, host)) = Timed(() => OnCluster(weights, yaml, img, batch, rates, layers, costs, root).GetAwaiter().GetResult());
                hostSeconds = host.Wall;
                return (wall - host.Wall, cpu - host.Cpu, load, results);
            }
            (double, double, string, Dictionary<(int, double), SensitivityResult>) Local() => Timed(() =>
            {
                using var loaded = ModelFile.Load(weights);
                new SensitivityAnalysis(loaded, DataYaml.Load(yaml), img, batch, new SensitivityOptions(rates, Layers: layers)).Run(Path.Combine(root, "local"));
                return new SensitivityFolder(Path.Combine(root, "local")).ReadResults();
            });
            var localFirst = a.Int("--local-first", 0) == 1;
            if (a.Int("--cluster-only", 0) == 1)
            {
                var (wall, cpu, load, only) = Cluster();
                Console.WriteLine($"1-silo cluster: {only.Length} evaluations in {wall:F1} s wall / {cpu:F1} s CPU, load {load}");
                return 0;
            }
            var localRun = localFirst ? Local() : default;
            var (clusterWall, clusterCpu, clusterLoad, cluster) = Cluster();
            var (localWall, localCpu, localLoad, local) = localFirst ? localRun : Local();
            var differing = cluster.Count(r => !Same(local[(r.Key.Layer, r.Key.Rate)], r));
            Console.Error.WriteLine($"(silo start + stop, left out of the cluster's time: {hostSeconds:F1} s)");
            Console.WriteLine("| model | data | img | evaluations | local sensitivity (s wall / s CPU) | 1-silo cluster (s wall / s CPU) | ratio (wall) | results differing | load avg (local / cluster) |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
            Console.WriteLine($"| {Path.GetFileName(weights)} | {Path.GetFileName(yaml)} | {img} | {cluster.Length} | {localWall:F1} / {localCpu:F1} | {clusterWall:F1} / {clusterCpu:F1} | " +
                              $"{clusterWall / localWall:F3} | {differing} of {cluster.Length} | {localLoad} / {clusterLoad} |");
            return differing == 0 && cluster.Length == local.Count ? 0 : 1;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<(ImmutableArray<VariantResult> Results, (double Wall, double Cpu) Host)> OnCluster(string weights, string yaml, int img, int batch, IReadOnlyList<double> rates, int[] layers, double[] costs, string root)
    {
        var artifacts = new ArtifactStore(Path.Combine(root, "artifacts"));
        var digest = artifacts.Put(weights);
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;   // TestingHost would write logs/ into the working folder
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Cluster);
            silo.AddEvaluationWorkers(o => (o.SlotsPerDevice, o.IdlePoll) = (1, TimeSpan.FromMilliseconds(20)));
            silo.AddEngineEvaluator(artifacts.Root);
        });
        // Silo start and stop are timed apart: they are not the iteration's work.
        var process = Process.GetCurrentProcess();
        var hostClock = Stopwatch.StartNew();
        var cpuBefore = process.TotalProcessorTime;
        var cluster = builder.Build();
        await cluster.DeployAsync();
        hostClock.Stop();
        process.Refresh();
        var hostCpu = process.TotalProcessorTime - cpuBefore;
        ImmutableArray<VariantResult> results;
        try
        {
            var spec = new EvaluationSpec(digest, DatasetDigest.Of(DataYaml.Load(yaml), "val"), img, batch, Criterion: 0, Seed: 0,
                DataYaml: Path.GetFullPath(yaml), Rates: [.. rates], Layers: [.. layers]);
            var tasks = layers.SelectMany(layer => rates.Select(rate => new VariantTask(new VariantKey("bench", 0, layer, rate), costs[layer], spec))).ToImmutableArray();
            var iteration = cluster.Client.GetGrain<ISensitivityIterationGrain>(tasks[0].Key.IterationKey);
            await iteration.Open(tasks, TimeSpan.FromSeconds(60));
            var progress = Stopwatch.StartNew();
            IterationStatus status;
            while (!(status = await iteration.GetStatus()).Complete)
            {
                if (progress.Elapsed > TimeSpan.FromSeconds(10))
                {
                    // Progress on stderr (the table goes to stdout): done, leased, expired and failed so far, ETA.
                    Console.Error.WriteLine($"cluster: {status.Done}/{status.Total} done, {status.Leases.Length} leased, {status.Expired.Length} expired, {status.Failed.Length} failed, ETA {status.Eta?.ToString(@"m\:ss") ?? "…"}");
                    progress.Restart();
                }
                // Not faster: every status call is work on the two cores the evaluation's threads need.
                await Task.Delay(250);
            }
            results = await iteration.GetResults();
        }
        finally
        {
            process.Refresh();
            cpuBefore = process.TotalProcessorTime;
            hostClock.Start();
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
            hostClock.Stop();
            process.Refresh();
            hostCpu += process.TotalProcessorTime - cpuBefore;
        }
        return (results, (hostClock.Elapsed.TotalSeconds, hostCpu.TotalSeconds));
    }

    private static bool Same(SensitivityResult local, VariantResult cluster) =>
        local.Mp == cluster.Mp && local.Mr == cluster.Mr && local.Map50 == cluster.Map50 && local.Map == cluster.Map
        && local.PerClassMaps.SequenceEqual(cluster.PerClassMaps) && local.Params == cluster.Params && local.Gflops == cluster.Gflops;

    private static (double Wall, double Cpu, string Load, T Result) Timed<T>(Func<T> run)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var result = run();
        var wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpu).TotalSeconds, File.ReadAllText("/proc/loadavg").Split(' ')[0], result);
    }
}
