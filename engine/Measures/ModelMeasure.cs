using PruneCluster.Engine.Models;
using TorchSharp.Modules;

namespace PruneCluster.Engine.Measures;

/// <summary>Counts parameters (unfused and fused) and GFLOPs (2 × MACs of every Conv2d, as deployed) of a model.</summary>
public static class ModelMeasure
{
    public static ModelStats Measure(YoloModel model, int img, ConvPixelMap? pixels = null)
    {
        pixels ??= ConvPixelMap.Measure(model);
        // GFLOPs of the model as deployed: an unfused RepConv's 1×1 branch folds into its 3×3 conv, so it costs nothing.
        var convs = model.named_modules()
            .Where(m => m.module is Conv2d && !m.name.EndsWith(".rbr_1x1.0", StringComparison.Ordinal))
            .ToDictionary(m => m.name, m => (Conv2d)m.module);
        double Gflops(string path) => convs.Where(c => c.Key == path || c.Key.StartsWith(path + ".", StringComparison.Ordinal))
            .Sum(c => 2.0 * c.Value.weight!.numel() * pixels.PixelsAt(c.Key, img)) / 1e9;

        var layers = model.ConvLayers.Select(l => new LayerStats(
            l.Index, l.YamlLayer, l.Path, l.Module, l.Unit.InChannels, l.Unit.OutChannels, l.Unit.ParameterCount, Gflops(l.Path), l.IsHead)).ToList();
        var total = model.ParameterCount;
        var fused = total - model.ConvLayers.Where(l => !l.IsHead).Sum(l => l.Unit.ParameterCount - l.Unit.FusedParameterCount);
        var gflops = convs.Sum(c => 2.0 * c.Value.weight!.numel() * pixels.PixelsAt(c.Key, img)) / 1e9;
        return new ModelStats(total, fused, gflops, img, layers);
    }
}
