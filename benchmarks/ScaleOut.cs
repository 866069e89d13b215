using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using PruneCluster.Grains;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Evaluation;
using PruneCluster.Grains.Simulation;

namespace PruneCluster.Benchmarks;

/// <summary>
/// Scale-out of the work distribution: N simulated tasks (yolov7's per-layer costs, iterations of 89 layers × 3 rates,
/// the evaluator sleeping <c>--ms-per-gflop</c> × cost) on in-process clusters of 1, 2, 4, 8 silos. Reports the
/// makespan against the ideal (total evaluation time / slots) and the coordination overhead per task: slot time not
/// spent evaluating (makespan × slots − Σ evaluation time), divided by the tasks.
/// </summary>
public static class ScaleOut
{
    private static readonly double[] Rates = [0.25, 0.5, 0.75];

    public static int Run(Arguments a)
    {
        var tasks = a.Int("--tasks", 10_000);
        var slots = a.Int("--slots", 2);
        var msPerGflop = a.Doubles("--ms-per-gflop", [1.0])[0];
        var prefetch = a.Int("--prefetch", 4);
        Console.WriteLine($"| silos | slots | tasks | iterations | work (s) | ideal (s) | makespan (s) | efficiency | overhead per task (ms) | tasks per silo (min–max) | CPU (s) | load average |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var silos in a.Doubles("--silos", [1, 2, 4, 8]).Select(s => (int)s))
        {
            var row = Measure(silos, slots, tasks, msPerGflop, prefetch).GetAwaiter().GetResult();
            Console.WriteLine(row);
        }
        return 0;
    }

    // The 1-minute load average (Linux), to judge how much of the machine the run had.
    private static double LoadAverage() =>
        File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) : double.NaN;

    private static async Task<string> Measure(int silos, int slots, int taskCount, double msPerGflop, int prefetch)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ConfigureFileLogging = false;   // TestingHost would write logs/ into the working folder
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Cluster);
            silo.AddEvaluationWorkers(o => (o.SlotsPerDevice, o.IdlePoll, o.Prefetch) = (slots, TimeSpan.FromMilliseconds(20), prefetch));
            silo.Services.AddSingleton<IVariantEvaluator>(new SimulatedEvaluator(TimeSpan.FromMilliseconds(msPerGflop)));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            var campaign = $"scaleout-{silos}";
            var perIteration = 89 * Rates.Length;
            var iterations = Enumerable.Range(0, (taskCount + perIteration - 1) / perIteration)
                .Select(i => SimulatedWorkload.Tasks(campaign, i, 89, Rates).Take(taskCount - i * perIteration).ToImmutableArray())
                .ToList();
            var load = LoadAverage();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var grains = iterations.Select(t => cluster.Client.GetGrain<ISensitivityIterationGrain>(t[0].Key.IterationKey)).ToList();
            foreach (var (grain, tasks) in grains.Zip(iterations))
                await grain.Open(tasks, TimeSpan.FromSeconds(30));
            foreach (var grain in grains)
                while (!(await grain.GetStatus()).Complete)
                    await Task.Delay(20);
            var makespan = clock.Elapsed.TotalSeconds;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            load = (load + LoadAverage()) / 2;

            var results = new List<VariantResult>();
            foreach (var grain in grains)
                results.AddRange(await grain.GetResults());
            var totalSlots = silos * slots;
            var work = iterations.SelectMany(t => t).Sum(t => t.Cost) * msPerGflop / 1000;
            var ideal = work / totalSlots;
            var evaluated = results.Sum(r => r.Seconds);
            var overheadMs = (makespan * totalSlots - evaluated) / results.Count * 1000;
            var perSilo = results.GroupBy(r => r.Silo).Select(g => g.Count()).ToList();
            return $"| {silos} | {totalSlots} | {results.Count} | {iterations.Count} | {work:F1} | {ideal:F1} | {makespan:F1} | {ideal / makespan:F2} | {overheadMs:F1} | {perSilo.Min()}–{perSilo.Max()} | {cpuSeconds:F1} | {load:F1} |";
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}
