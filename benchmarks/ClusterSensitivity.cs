using System.Collections.Immutable;
using System.Diagnostics;
using Orleans.TestingHost;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Engine.Data;
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
/// iteration to its last result and includes the slot's setup (model from the artifact store, data check, decode).
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
        using (var probe = ModelFile.Load(weights))
            layers = [.. a.Doubles("--layers", [.. Enumerable.Range(0, probe.Model.PrunableLayers.Count).Select(l => (double)l)]).Select(l => (int)l)];
        var root = Directory.CreateTempSubdirectory("prunecluster-bench-").FullName;
        try
        {
            // --local-first 1 swaps the order, to see what running second costs (the first run leaves a warm, fragmented heap).
            (double, double, string, ImmutableArray<VariantResult>) Cluster() => Timed(() => OnCluster(weights, yaml, img, batch, rates, layers, root).GetAwaiter().GetResult());
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

    private static async Task<ImmutableArray<VariantResult>> OnCluster(string weights, string yaml, int img, int batch, IReadOnlyList<double> rates, int[] layers, string root)
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
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            var spec = new EvaluationSpec(digest, DatasetDigest.Of(DataYaml.Load(yaml), "val"), img, batch, Criterion: 0, Seed: 0,
                DataYaml: Path.GetFullPath(yaml), Rates: [.. rates], Layers: [.. layers]);
            // Earlier layers reach more of the network: a cost that falls with the layer hands them out first.
            var tasks = layers.SelectMany(layer => rates.Select(rate => new VariantTask(new VariantKey("bench", 0, layer, rate), layers.Length - layer, spec))).ToImmutableArray();
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
                await Task.Delay(20);
            }
            return await iteration.GetResults();
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
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
