using System.Globalization;
using PruneCluster.Engine.Measures;
using Spectre.Console;

namespace PruneCluster.Client.Cli;

/// <summary>Renders <see cref="ModelStats"/> as a table and as the JSON shape shared by info and prune.</summary>
public static class StatsView
{
    public static object ToJson(ModelStats stats) => new
    {
        stats.Params,
        stats.ParamsFused,
        Gflops = Math.Round(stats.Gflops, 6),
        stats.Img,
        PrunableLayers = stats.Layers.Count(l => !l.IsHead),
        Layers = LayersToJson(stats),
    };

    /// <summary>The per-layer rows of <see cref="ToJson"/>.</summary>
    public static object LayersToJson(ModelStats stats) => stats.Layers.Select(l => new
    {
        l.Index,
        l.YamlLayer,
        l.Module,
        l.Path,
        l.InChannels,
        l.OutChannels,
        l.Params,
        Gflops = Math.Round(l.Gflops, 6),
        l.IsHead,
    });

    public static void Render(ModelStats stats, string title)
    {
        var table = new Table().Title(Markup.Escape(title)).RoundedBorder();
        foreach (var column in new[] { "index", "yaml layer", "module", "path", "in", "out", "params", "GFLOPs", "share" })
            table.AddColumn(new TableColumn(column).RightAligned());
        foreach (var l in stats.Layers)
        {
            table.AddRow(
                l.IsHead ? $"{l.Index} (head)" : l.Index.ToString(CultureInfo.InvariantCulture),
                l.YamlLayer.ToString(CultureInfo.InvariantCulture), Markup.Escape(l.Module), Markup.Escape(l.Path),
                l.InChannels.ToString(CultureInfo.InvariantCulture), l.OutChannels.ToString(CultureInfo.InvariantCulture),
                l.Params.ToString("N0", CultureInfo.InvariantCulture), l.Gflops.ToString("F3", CultureInfo.InvariantCulture),
                (l.Gflops / stats.Gflops).ToString("P1", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(
            $"[bold]{stats.Layers.Count(l => !l.IsHead)}[/] prunable conv layers, params [bold]{stats.Params:N0}[/] (fused {stats.ParamsFused:N0}), " +
            $"[bold]{stats.Gflops.ToString("F3", CultureInfo.InvariantCulture)}[/] GFLOPs at {stats.Img}×{stats.Img}");
    }
}
