using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;

namespace PruneCluster.Client.Cli;

/// <summary>
/// Baselines for <c>select --weights</c>: the model's fused parameter count and GFLOPs at the image size the
/// sensitivity files were measured at (what their lines count), and its prunable-layer count.
/// </summary>
public static class SelectModelStats
{
    public static (long Params, double Gflops, int PrunableLayers) Read(string weights, int img)
    {
        using var loaded = ModelFile.Load(weights);
        var stats = ModelMeasure.Measure(loaded.Model, img);
        return (stats.ParamsFused, Math.Round(stats.Gflops, 3), loaded.Model.PrunableLayers.Count);
    }
}
