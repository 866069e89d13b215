using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Models;
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
/// Baselines: --params/--flops when given; else the unpruned model recorded in the folder's analysis.json; else the
/// --weights model measured at the image size the files were measured at, through the <see cref="ModelStatsHook"/>
/// (a <c>Func&lt;string, int, (long Params, double Gflops, int PrunableLayers)&gt;</c> taking the --weights path and
/// the image size) that CliApp attaches as the command's data (Spectre's default resolver cannot inject a Func
/// through the constructor).
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
        [Description("Checkpoint the analysis was run on: checked against the folder's analysis.json; supplies --params/--flops (at the files' image size) when neither they nor the record do")]
        public string? Weights { get; init; }

        [CommandOption("--params <N>")]
        [Description("Parameter count of the unpruned model (default: analysis.json's, else --weights'; the paper passes its own)")]
        public long? Params { get; init; }

        [CommandOption("--flops <GFLOPS>")]
        [Description("GFLOPs of the unpruned model at the analysis image size (default: analysis.json's, else --weights' at the files' image size)")]
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

        [CommandOption("--round-to <N>")]
        [Description("The --round-to the analysis was run with (default: the folder's record, else 1); the selection is pruned with it, so a record with another value is refused")]
        public int? RoundTo { get; init; }

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
            if (Weights is not null && !File.Exists(Weights))
                return ValidationResult.Error($"--weights {Weights}: file not found");
            if (Params is <= 0)
                return ValidationResult.Error("--params must be a positive parameter count");
            if (Flops is { } flops && (!double.IsFinite(flops) || flops <= 0))
                return ValidationResult.Error("--flops must be a positive number of GFLOPs");
            if (PruningSettings.RoundToError(RoundTo) is { } roundTo)
                return roundTo;
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
            var store = new SensitivityStore(settings.Output!);
            var record = store.Record();
            var img = store.ImageSize();
            if (record is null)
                Console.Error.WriteLine($"note: {settings.Output} has no {SensitivityRecord.FileName} (made by the paper's code or an older prunecluster): only the lines themselves are checked for a mixture of runs, and no-op prunings cannot be told apart");
            if (record is not null && settings.Weights is not null && FileDigest.Sha256(settings.Weights) != record.Identity.ModelSha256)
                throw new SensitivityDataException(SensitivityProblem.OtherSettings, settings.Weights, null,
                    $"not the model {settings.Output} was measured with ({record.Model}, sha256 {record.Identity.ModelSha256[..12]}…); pass that checkpoint, or omit --weights");
            // The files' params and GFLOPs are those of prunings with the analysis's rounding: prune with the same one.
            if (record is not null && settings.RoundTo is { } asked && asked != record.Identity.RoundTo)
                throw new SensitivityDataException(SensitivityProblem.OtherSettings, settings.Output!, null,
                    $"measured with --round-to {record.Identity.RoundTo}, not {asked}; select with --round-to {record.Identity.RoundTo} (or run the analysis with --round-to {asked})");
            var roundTo = settings.RoundTo ?? record?.Identity.RoundTo ?? 1;
            var (baselineParams, baselineGflops, layerCount) = Baselines(context, settings, record, img);
            var table = store.Load(layerCount);
            var excluded = record?.NoOps.Select(n => (n.Layer, n.Rate)).ToList() ?? [];
            var options = new LayerSelectionOptions(baselineParams, baselineGflops, settings.ParamsLayers, settings.FlopsLayers, settings.ParamsMap, settings.FlopsMap, excluded);
            var selection = LayerSelector.Select(table, options);
            var plots = settings.Plot ? SensitivityPlots.Write(settings.Output!, table, selection, record?.Baseline) : [];
            if (settings.Json)
                WriteJson(selection, plots, img, excluded, roundTo);
            else
                WriteText(selection, plots, record?.Baseline, excluded, roundTo);
            return 0;
        }
        catch (Exception error) when (error is SensitivityDataException or ArgumentException or InvalidOperationException or IOException or CheckpointException or ModelConfigException)
        {
            // One line on stderr; bad or mixed input is the user's to fix (exit 2), like every other command.
            Console.Error.WriteLine($"error: {error.Message}");
            return UserErrors.BadInput;
        }
    }

    // Explicit options first, then the folder's record, then the --weights model at the files' image size.
    private static (long Params, double Gflops, int? LayerCount) Baselines(CommandContext context, Settings settings, SensitivityRecord? record, int img)
    {
        long? parameters = settings.Params ?? record?.Baseline?.ParamsFused;
        double? flops = settings.Flops ?? record?.Baseline?.Gflops;
        int? layers = record?.PrunableLayers;
        if ((parameters is null || flops is null || layers is null) && settings.Weights is not null)
        {
            var reader = ModelStatsHook(context)
                ?? throw new InvalidOperationException($"cannot read parameter count and GFLOPs from {settings.Weights}: this build has no model-statistics reader; pass --params and --flops");
            var stats = reader(settings.Weights, img);
            (parameters, flops, layers) = (parameters ?? stats.Params, flops ?? stats.Gflops, layers ?? stats.PrunableLayers);
        }
        if (parameters is null || flops is null)
        {
            var missing = string.Join(" and ", new[] { parameters is null ? "--params" : null, flops is null ? "--flops" : null }.OfType<string>());
            throw new InvalidOperationException($"{missing} required: {settings.Output} records no unpruned baseline; give the unpruned model's counts (at img {img}), or --weights to measure them");
        }
        return (parameters.Value, flops.Value, layers);
    }

    /// <summary>The model-statistics hook attached with <c>WithData</c>, if any: (weights, img) → fused params, GFLOPs, prunable layers.</summary>
    public static Func<string, int, (long Params, double Gflops, int PrunableLayers)>? ModelStatsHook(CommandContext context) =>
        context.Data as Func<string, int, (long Params, double Gflops, int PrunableLayers)>;

    private void WriteText(LayerSelection selection, IReadOnlyList<string> plots, SensitivityBaseline? baseline, IReadOnlyList<(int Layer, double Rate)> excluded, int roundTo)
    {
        // Written raw (not as Spectre markup/text) so a long list is never wrapped and stays pasteable.
        var output = _console.Profile.Out.Writer;
        output.WriteLine(selection.PaperSyntax);
        if (roundTo > 1)
            output.WriteLine($"prune it with --round-to {roundTo}, as the analysis was run");

        var grid = new Table().Border(TableBorder.Rounded)
            .AddColumn("layer").AddColumn("rate").AddColumn("chosen for").AddColumn("mAP")
            .AddColumn(new TableColumn("params removed").RightAligned()).AddColumn(new TableColumn("GFLOPs removed").RightAligned());
        foreach (var row in selection.Layers)
        {
            grid.AddRow(
                row.Layer.ToString(CultureInfo.InvariantCulture),
                PythonRepr.Float(row.Rate),
                ChosenFor(row) + (row.MergedRate is { } other ? $" (merged: {PythonRepr.Float(other)} dropped)" : ""),
                row.Map.ToString("0.0000", CultureInfo.InvariantCulture),
                $"{row.ParamsRemoved.ToString("N0", CultureInfo.InvariantCulture)} ({row.ParamsRemovedShare.ToString("P1", CultureInfo.InvariantCulture)})",
                $"{row.GflopsRemoved.ToString("0.000", CultureInfo.InvariantCulture)} ({row.GflopsRemovedShare.ToString("P1", CultureInfo.InvariantCulture)})");
        }
        if (baseline is not null)
            grid.Caption($"unpruned: mAP {baseline.Map.ToString("0.0000", CultureInfo.InvariantCulture)}, {selection.BaselineParams.ToString("N0", CultureInfo.InvariantCulture)} params, {selection.BaselineGflops.ToString("0.###", CultureInfo.InvariantCulture)} GFLOPs");
        _console.Write(grid);

        foreach (var search in new[] { selection.FlopsSearch, selection.ParamsSearch })
        {
            if (!search.PaperLoopEnds)
                output.WriteLine($"note: {search.Criterion}: the paper's threshold loop would never end for these scores (ties or too few usable layers); took the {search.RequestedLayers} best-scoring layers instead (docs/layer-selection.md)");
        }
        foreach (var row in selection.Merged)
            output.WriteLine($"note: layer {row.Layer} was picked at rates {PythonRepr.Float(row.MergedRate!.Value)} and {PythonRepr.Float(row.Rate)} (one per search); the list keeps the larger rate so it names each layer once (docs/layer-selection.md)");
        if (excluded.Count > 0)
            output.WriteLine($"note: never picked, because pruning changed nothing (the rate would remove every filter): {string.Join(", ", excluded.Select(e => $"({e.Layer}, {PythonRepr.Float(e.Rate)})"))}");
        foreach (var plot in plots)
            output.WriteLine(plot);
    }

    private static string ChosenFor(SelectedLayer row) =>
        row.ChosenFor switch { SelectionTarget.Flops => "FLOPS", SelectionTarget.Params => "params", _ => "both" };

    private void WriteJson(LayerSelection selection, IReadOnlyList<string> plots, int img, IReadOnlyList<(int Layer, double Rate)> excluded, int roundTo)
    {
        var document = new
        {
            pruningParams = selection.PaperSyntax,
            roundTo,
            layers = selection.Layers.Select(l => new object[] { l.Layer, l.Rate }),
            table = selection.Layers.Select(l => new
            {
                layer = l.Layer,
                rate = l.Rate,
                chosenFor = ChosenFor(l),
                mergedRate = l.MergedRate,
                map = l.Map,
                paramsRemoved = l.ParamsRemoved,
                gflopsRemoved = l.GflopsRemoved,
                paramsRemovedShare = l.ParamsRemovedShare,
                gflopsRemovedShare = l.GflopsRemovedShare,
            }),
            img,
            excluded = excluded.Select(e => new object[] { e.Layer, e.Rate }),
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
