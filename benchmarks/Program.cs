using System.Globalization;
using PruneCluster.Benchmarks;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;

// prunecluster-bench engine --weights yolov7.pt [--repeats 3]
// Prints a markdown table row per step: best wall time of the repeats and peak resident memory.
if (args.Length < 3 || args[0] != "engine" || args[1] != "--weights")
{
    Console.Error.WriteLine("usage: prunecluster-bench engine --weights CHECKPOINT.pt [--repeats N]");
    return 2;
}
var weights = args[2];
var repeats = args.Length >= 5 && args[3] == "--repeats" ? int.Parse(args[4], CultureInfo.InvariantCulture) : 3;
TorchSharp.torch.set_num_threads(Environment.ProcessorCount);

// Warm up native libraries once so the first measurement is not library start-up.
ModelFile.Load(weights).Dispose();

var results = new List<Measurement>
{
    Measurement.Run("load checkpoint", () => ModelFile.Load(weights).Dispose(), repeats),
};
using (var loaded = ModelFile.Load(weights))
{
    results.Add(Measurement.Run("build connectivity graph", () => ConnectivityGraph.Build(loaded.Model), repeats));
}
var prunable = 0;
results.Add(Measurement.Run("build graph + prune every layer at 0.5", () => ModelFile.Load(weights), loaded =>
{
    prunable = loaded.Model.PrunableLayers.Count;
    var graph = ConnectivityGraph.Build(loaded.Model);
    Pruner.Prune(graph, PruningParams.Parse("0.5", prunable), new FilterImportance(Criterion.SmallestL2));
}, loaded => loaded.Dispose(), repeats));

Console.WriteLine($"| step ({Path.GetFileName(weights)}, {prunable} prunable layers) | best of {repeats} (s) | peak RSS (MiB) |");
Console.WriteLine("|---|---|---|");
foreach (var r in results)
    Console.WriteLine($"| {r.Name} | {r.Seconds:F3} | {r.PeakMiB:F0} |");
return 0;
