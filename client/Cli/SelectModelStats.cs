using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;

namespace PruneCluster.Client.Cli;

/// <summary>Baseline params and GFLOPs for <c>select --weights</c>: the model's own, fused, at 640 like the paper's figures.</summary>
public static class SelectModelStats
{
    public static (long Params, double Gflops) Read(string weights)
    {
        using var loaded = ModelFile.Load(weights);
        var stats = ModelMeasure.Measure(loaded.Model, 640);
        return (stats.ParamsFused, stats.Gflops);
    }
}
