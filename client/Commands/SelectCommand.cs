using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using PruneCluster.Engine.Plots;
using PruneCluster.Engine.Selection;
using PruneCluster.Engine.Sensitivity;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands;

/// <summary>
/// <c>prunecluster select</c>: the paper's layer_selection.py on a folder of sensitivity files, printing the
/// <c>--pruning-params</c> list and a table (or one JSON document), optionally writing the figures.
/// </summary>
/// <remarks>
/// Model-statistics hook: when --params or --flops is omitted, the command calls the
/// <see cref="ModelStatsHook"/> (a <c>Func&lt;string, (long Params, double Gflops)&gt;</c> taking the --weights path)
/// that Program.cs attaches as the command's data:
/// <c>config.AddCommand&lt;SelectCommand&gt;("select").WithData((Func&lt;string, (long, double)&gt;)ReadStats)</c>.
/// (Spectre's default resolver cannot inject a Func through the constructor.) Without the hook, --params and
/// --flops are required.
/// </remarks>
public sealed class SelectCommand : Command<SelectCommand.Settings>
{
    private readonly IAnsiConsole _console;

    /// <summary>Creates the command writing to <paramref name="console"/> (Spectre registers its console).</summary>
    public SelectCommand(IAnsiConsole console)
    {
        _console = console;
    }

    /// <summary>Options, named as layer_selection.py names them.</summary>
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--output <DIR>")]
        [Description("Folder with the sensitivity-analysis files output_{25,50,75}.txt")]
        public string? Output { get; init; }

        [CommandOption("--weights <PT>")]
        [Description("Checkpoint the analysis was run on; supplies --params/--flops when they are omitted")]
        public string? Weights { get; init; }

        [CommandOption("--params <N>")]
        [Description("Parameter count of the unpruned model")]
        public long? Params { get; init; }

        [CommandOption("--flops <GFLOPS>")]
        [Description("GFLOPs of the unpruned model at the analysis image size")]
        public double? Flops { get; init; }

        [CommandOption("--params-layers <N>")]
        [Description("Number of layers to prune for parameters")]
        [DefaultValue(6)]
        public int ParamsLayers { get; init; } = 6;

        [CommandOption("--flops-layers <N>")]
        [Description("Number of layers to prune for FLOPs")]
        [DefaultValue(5)]
        public int FlopsLayers { get; init; } = 5;

        [CommandOption("--params-map <K>")]
        [Description("Impact of mAP on the parameter selection (score = removed × mAP^K)")]
        [DefaultValue(20.0)]
        public double ParamsMap { get; init; } = 20;

        [CommandOption("--flops-map <K>")]
        [Description("Impact of mAP on the FLOPs selection (score = removed × mAP^K)")]
        [DefaultValue(20.0)]
        public double FlopsMap { get; init; } = 20;

        [CommandOption("--json")]
        [Description("Print one JSON document (list, table, searches) instead of text")]
        public bool Json { get; init; }

        [CommandOption("--plot")]
        [Description("Write the sensitivity figures (PNG) into the --output folder")]
        public bool Plot { get; init; }

        /// <inheritdoc />
        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Output))
                return ValidationResult.Error("--output is required: the folder holding the sensitivity files output_*.txt");
            if (Weights is null)
            {
                var missing = new[] { Params is null ? "--params" : null, Flops is null ? "--flops" : null }.OfType<string>().ToList();
                if (missing.Count > 0)
                    return ValidationResult.Error($"{string.Join(" and ", missing)} required: give the unpruned model's counts, or --weights to read them from the checkpoint");
            }
            if (Params is <= 0)
                return ValidationResult.Error("--params must be a positive parameter count");
            if (Flops is { } flops && (!double.IsFinite(flops) || flops <= 0))
                return ValidationResult.Error("--flops must be a positive number of GFLOPs");
            if (ParamsLayers < 0 || FlopsLayers < 0)
                return ValidationResult.Error("--params-layers and --flops-layers must be 0 or more");
            if (!double.IsFinite(ParamsMap) || ParamsMap < 0 || !double.IsFinite(FlopsMap) || FlopsMap < 0)
                return ValidationResult.Error("--params-map and --flops-map must be finite numbers ≥ 0");
            return ValidationResult.Success();
        }
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        try
        {
            var (baselineParams, baselineGflops) = Baselines(context, settings);
            var table = new SensitivityStore(settings.Output!).Load();
            var options = new LayerSelectionOptions(baselineParams, baselineGflops, settings.ParamsLayers, settings.FlopsLayers, settings.ParamsMap, settings.FlopsMap);
            var selection = LayerSelector.Select(table, options);
            var plots = settings.Plot ? SensitivityPlots.Write(settings.Output!, table, selection) : [];
            if (settings.Json)
                WriteJson(selection, plots);
            else
                WriteText(selection, plots);
            return 0;
        }
        catch (Exception error) when (error is SensitivityDataException or ArgumentException or InvalidOperationException or IOException)
        {
            // Raw write: the message is one line by design and must not be wrapped at the console width.
            _console.Profile.Out.Writer.WriteLine($"error: {error.Message}");
            return 1;
        }
    }

    private (long Params, double Gflops) Baselines(CommandContext context, Settings settings)
    {
        if (settings.Params is { } parameters && settings.Flops is { } flops)
            return (parameters, flops);
        var reader = ModelStatsHook(context)
            ?? throw new InvalidOperationException($"cannot read parameter count and GFLOPs from {settings.Weights}: this build has no model-statistics reader; pass --params and --flops");
        var stats = reader(settings.Weights!);
        return (settings.Params ?? stats.Params, settings.Flops ?? stats.Gflops);
    }

    /// <summary>The model-statistics hook attached with <c>WithData</c>, if any.</summary>
    public static Func<string, (long Params, double Gflops)>? ModelStatsHook(CommandContext context) =>
        context.Data as Func<string, (long Params, double Gflops)>;

    private void WriteText(LayerSelection selection, IReadOnlyList<string> plots)
    {
        // Written raw (not as Spectre markup/text) so a long list is never wrapped and stays pasteable.
        var output = _console.Profile.Out.Writer;
        output.WriteLine(selection.PaperSyntax);

        var grid = new Table().Border(TableBorder.Rounded)
            .AddColumn("layer").AddColumn("rate").AddColumn("chosen for").AddColumn("mAP")
            .AddColumn(new TableColumn("params removed").RightAligned()).AddColumn(new TableColumn("GFLOPs removed").RightAligned());
        foreach (var row in selection.Layers)
        {
            grid.AddRow(
                row.Layer.ToString(CultureInfo.InvariantCulture),
                PythonRepr.Float(row.Rate),
                row.ChosenFor switch { SelectionTarget.Flops => "FLOPS", SelectionTarget.Params => "params", _ => "both" },
                row.Map.ToString("0.0000", CultureInfo.InvariantCulture),
                $"{row.ParamsRemoved.ToString("N0", CultureInfo.InvariantCulture)} ({row.ParamsRemovedShare.ToString("P1", CultureInfo.InvariantCulture)})",
                $"{row.GflopsRemoved.ToString("0.000", CultureInfo.InvariantCulture)} ({row.GflopsRemovedShare.ToString("P1", CultureInfo.InvariantCulture)})");
        }
        _console.Write(grid);

        foreach (var search in new[] { selection.FlopsSearch, selection.ParamsSearch })
        {
            if (!search.PaperLoopEnds)
                output.WriteLine($"note: {search.Criterion}: the paper's threshold loop would never end for these scores (ties or too few usable layers); took the {search.RequestedLayers} best-scoring layers instead (docs/layer-selection.md)");
        }
        if (selection.LayersWithSeveralRates.Count > 0)
            output.WriteLine($"note: layers {string.Join(", ", selection.LayersWithSeveralRates)} appear with two rates (one from each search), as the paper's list would have them");
        foreach (var plot in plots)
            output.WriteLine(plot);
    }

    private void WriteJson(LayerSelection selection, IReadOnlyList<string> plots)
    {
        var document = new
        {
            pruningParams = selection.PaperSyntax,
            layers = selection.Layers.Select(l => new object[] { l.Layer, l.Rate }),
            table = selection.Layers.Select(l => new
            {
                layer = l.Layer,
                rate = l.Rate,
                chosenFor = l.ChosenFor switch { SelectionTarget.Flops => "FLOPS", SelectionTarget.Params => "params", _ => "both" },
                map = l.Map,
                paramsRemoved = l.ParamsRemoved,
                gflopsRemoved = l.GflopsRemoved,
                paramsRemovedShare = l.ParamsRemovedShare,
                gflopsRemovedShare = l.GflopsRemovedShare,
            }),
            baselineParams = selection.BaselineParams,
            baselineGflops = selection.BaselineGflops,
            searches = new[] { selection.FlopsSearch, selection.ParamsSearch }.Select(s => new
            {
                criterion = s.Criterion,
                requestedLayers = s.RequestedLayers,
                mapExponent = s.MapExponent,
                picks = s.Picks.Select(p => new object[] { p.Layer, p.Rate }),
                paperLoopEnds = s.PaperLoopEnds,
                frac = s.Frac,
                bestScore = s.BestScore,
            }),
            plots,
        };
        _console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(document, PruneCluster.Client.Cli.JsonOutput.Options));
    }
}
