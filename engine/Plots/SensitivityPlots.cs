using System.Globalization;
using PruneCluster.Engine.Selection;
using PruneCluster.Engine.Sensitivity;
using ScottPlot;

namespace PruneCluster.Engine.Plots;

/// <summary>
/// PNG figures of a sensitivity analysis: the paper's three (parameters, GFLOPs and mAP per layer for each rate,
/// selected layers marked; layer_selection.py --save), a layer × rate heat map of the mAP drop and grouped bars of
/// mAP per layer and rate.
/// </summary>
public static class SensitivityPlots
{
    private const int Width = 1400;
    private const int Height = 800;

    /// <summary>File names written by <see cref="Write"/>, in the order it returns them.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
        ["sa_parameters.png", "sa_flops.png", "sa_map.png", "map_drop_heatmap.png", "map_per_layer.png"];

    /// <summary>
    /// Writes the five PNGs into <paramref name="dir"/> (created if needed) and returns their paths.
    /// With a <paramref name="selection"/>, the parameter and GFLOPs figures show what pruning each layer removes
    /// (relative to the selection's baselines, as the paper plots) and mark the picks; without one they show what
    /// is left. With a <paramref name="baseline"/> (the folder's unpruned model), every figure draws it (a dashed
    /// "unpruned" line; the heat map's drop is measured from its mAP); without one (a folder made by the paper's
    /// code) the drop is measured from the best mAP in the table, and the title says so.
    /// </summary>
    public static IReadOnlyList<string> Write(string dir, SensitivityTable table, LayerSelection? selection = null, SensitivityBaseline? baseline = null)
    {
        var unprunedMap = baseline?.Map;
        Directory.CreateDirectory(dir);
        var paths = FileNames.Select(name => Path.Combine(dir, name)).ToList();
        SaveCounts(paths[0], table, selection, selection?.ParamsSearch.Picks, selection is null ? baseline?.ParamsFused / 1e6 : null,
            r => selection is null ? r.Params / 1e6 : (selection.BaselineParams - r.Params) / 1e6,
            selection is null ? "Parameters left (millions)" : "Pruned parameters (millions)",
            Colors.LimeGreen, "Selected rates for pruning parameters");
        SaveCounts(paths[1], table, selection, selection?.FlopsSearch.Picks, selection is null ? baseline?.Gflops : null,
            r => selection is null ? r.Gflops : selection.BaselineGflops - r.Gflops,
            selection is null ? "GFLOPs left" : "Pruned GFLOPs",
            Colors.RoyalBlue, "Selected rates for pruning FLOPs");
        SaveMap(paths[2], table, selection, unprunedMap);
        SaveMapDropHeatmap(paths[3], table, unprunedMap);
        SaveMapBars(paths[4], table, unprunedMap);
        return paths;
    }

    private static void SaveCounts(string path, SensitivityTable table, LayerSelection? selection, IReadOnlyList<(int Layer, double Rate)>? picks,
        double? unpruned, Func<SensitivityResult, double> value, string yLabel, Color pickColor, string pickLabel)
    {
        var plot = NewLayerPlot(yLabel);
        AddRateLines(plot, table, value);
        AddUnpruned(plot, unpruned);
        if (selection is not null && picks is { Count: > 0 })
            AddPicks(plot, picks.Select(p => (p.Layer, value(table.Get(p.Layer, p.Rate)))), pickColor, pickLabel);
        Save(plot, path);
    }

    private static void SaveMap(string path, SensitivityTable table, LayerSelection? selection, double? unprunedMap)
    {
        var plot = NewLayerPlot("mAP@0.5:0.95");
        AddRateLines(plot, table, r => r.Map);
        AddUnpruned(plot, unprunedMap);
        if (selection is not null)
        {
            var groups = new[]
            {
                (Target: SelectionTarget.Flops, Color: Colors.RoyalBlue, Label: "Selected for FLOPs"),
                (Target: SelectionTarget.Params, Color: Colors.LimeGreen, Label: "Selected for parameters"),
                (Target: SelectionTarget.Both, Color: Colors.Red, Label: "Selected for both"),
            };
            foreach (var group in groups)
            {
                var points = selection.Layers.Where(l => l.ChosenFor == group.Target).Select(l => (l.Layer, l.Map)).ToList();
                if (points.Count > 0)
                    AddPicks(plot, points, group.Color, group.Label);
            }
        }
        Save(plot, path);
    }

    private static void SaveMapDropHeatmap(string path, SensitivityTable table, double? unprunedMap)
    {
        var reference = unprunedMap ?? Enumerable.Range(0, table.LayerCount).SelectMany(l => table.Rates.Select(r => table.Get(l, r).Map)).Max();
        // Rows are drawn top to bottom, so the highest rate goes first to put the lowest rate at the bottom.
        var drops = new double[table.Rates.Count, table.LayerCount];
        for (var row = 0; row < table.Rates.Count; row++)
        {
            var rate = table.Rates[table.Rates.Count - 1 - row];
            for (var layer = 0; layer < table.LayerCount; layer++)
                drops[row, layer] = reference - table.Get(layer, rate).Map;
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(drops);
        heatmap.Colormap = new ScottPlot.Colormaps.Turbo();
        heatmap.Extent = new CoordinateRect(-0.5, table.LayerCount - 0.5, -0.5, table.Rates.Count - 0.5);
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = "mAP drop";
        plot.Axes.Left.SetTicks(
            Enumerable.Range(0, table.Rates.Count).Select(i => (double)i).ToArray(),
            table.Rates.Select(RateLabel).ToArray());
        plot.XLabel("Convolutional layer index");
        plot.YLabel("Pruning rate");
        plot.Title(unprunedMap is null
            ? "mAP@0.5:0.95 drop per layer and rate (from the best single-layer pruning; unpruned mAP not given)"
            : $"mAP@0.5:0.95 drop per layer and rate (from the unpruned {unprunedMap.Value.ToString("0.0000", CultureInfo.InvariantCulture)})");
        plot.Axes.SetLimits(-0.5, table.LayerCount - 0.5, -0.5, table.Rates.Count - 0.5);
        Save(plot, path, width: Math.Max(Width, 24 * table.LayerCount + 300), height: 150 + 90 * table.Rates.Count, legend: false);
    }

    private static void SaveMapBars(string path, SensitivityTable table, double? unprunedMap)
    {
        var plot = new Plot();
        var rates = table.Rates.Count;
        var barWidth = 0.8 / rates;
        var palette = new ScottPlot.Palettes.Category10();
        for (var column = 0; column < rates; column++)
        {
            var color = palette.GetColor(column);
            var bars = Enumerable.Range(0, table.LayerCount).Select(layer => new Bar
            {
                Position = layer - 0.4 + barWidth * (column + 0.5),
                Value = table[layer, column].Map,
                Size = barWidth,
                FillColor = color,
                LineWidth = 0,
            }).ToList();
            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = RateLegend(table.Rates[column]), FillColor = color });
        }
        plot.XLabel("Convolutional layer index");
        plot.YLabel("mAP@0.5:0.95");
        if (unprunedMap is { } map)
        {
            var line = plot.Add.HorizontalLine(map, 1.5f, Colors.Black, LinePattern.Dashed);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = UnprunedLabel(map), LineColor = Colors.Black, LinePattern = LinePattern.Dashed, LineWidth = 1.5f });
            line.LegendText = "";
        }
        plot.Title("mAP per layer and pruning rate");
        var highest = Math.Max(unprunedMap ?? 0, Enumerable.Range(0, table.LayerCount).SelectMany(l => table.Rates.Select(r => table.Get(l, r).Map)).Max());
        plot.Axes.SetLimits(-1, table.LayerCount, 0, Math.Max(highest, 1e-3) * 1.05);
        plot.ShowLegend(Edge.Right);
        Save(plot, path, width: Math.Max(Width, 28 * table.LayerCount + 200), height: Height);
    }

    private static Plot NewLayerPlot(string yLabel)
    {
        var plot = new Plot();
        plot.XLabel("Convolutional layer index");
        plot.YLabel(yLabel);
        return plot;
    }

    private static void AddRateLines(Plot plot, SensitivityTable table, Func<SensitivityResult, double> value)
    {
        var layers = Enumerable.Range(0, table.LayerCount).Select(l => (double)l).ToArray();
        foreach (var rate in table.Rates)
        {
            var line = plot.Add.ScatterLine(layers, table.ForRate(rate).Select(value).ToArray());
            line.LegendText = RateLegend(rate);
            line.LineWidth = 1.5f;
        }
    }

    // The unpruned model's value, which every line's drop is read against.
    private static void AddUnpruned(Plot plot, double? value)
    {
        if (value is not { } unpruned)
            return;
        var line = plot.Add.HorizontalLine(unpruned, 1.5f, Colors.Black, LinePattern.Dashed);
        line.LegendText = UnprunedLabel(unpruned);
    }

    private static string UnprunedLabel(double value) => $"unpruned: {value.ToString("0.####", CultureInfo.InvariantCulture)}";

    private static void AddPicks(Plot plot, IEnumerable<(int Layer, double Value)> points, Color color, string label)
    {
        var list = points.ToList();
        var markers = plot.Add.Markers(list.Select(p => (double)p.Layer).ToArray(), list.Select(p => p.Value).ToArray(), MarkerShape.FilledCircle, 11, color);
        markers.MarkerStyle.OutlineColor = Colors.Black;
        markers.MarkerStyle.OutlineWidth = 1;
        markers.LegendText = label;
    }

    private static void Save(Plot plot, string path, int width = Width, int height = Height, bool legend = true)
    {
        // Outside the data area: inside it the legend hides the layers at the right end, where picks often are.
        if (legend && plot.Legend.ManualItems.Count == 0)
            plot.ShowLegend(Edge.Right);
        InvariantPng.Save(plot, path, width, height);
    }

    private static string RateLegend(double rate) => $"pruning rate: {RateLabel(rate)}";

    // Rounded because 100·0.07 is 7.000000000000001 in doubles.
    private static string RateLabel(double rate) => $"{Math.Round(rate * 100, 6).ToString(CultureInfo.InvariantCulture)}%";
}
