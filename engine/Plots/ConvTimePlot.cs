using ScottPlot;

namespace PruneCluster.Engine.Plots;

/// <summary>A PNG of the time ONNX Runtime spends in each conv layer, pruned against unpruned (grouped bars by conv-layer index).</summary>
public static class ConvTimePlot
{
    public static void Write(string path, IReadOnlyDictionary<int, double> prunedMs, IReadOnlyDictionary<int, double> baselineMs, string title)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("Convolutional layer index");
        plot.YLabel("Time per run (ms)");
        var layers = baselineMs.Keys.Union(prunedMs.Keys).Order().ToList();
        foreach (var (series, offset, color, label) in new[] { (baselineMs, -0.2, Colors.Gray, "unpruned"), (prunedMs, 0.2, Colors.RoyalBlue, "pruned") })
        {
            var bars = plot.Add.Bars(layers.Select(l => new Bar { Position = l + offset, Value = series.GetValueOrDefault(l), Size = 0.4, FillColor = color, LineWidth = 0 }).ToList());
            bars.LegendText = label;
        }
        plot.ShowLegend(Edge.Right);
        InvariantPng.Save(plot, path, 1600, 700);
    }
}
