using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Plots;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Sensitivity;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands;

/// <summary>
/// <c>prunecluster sensitivity</c>: the paper's per-layer sensitivity analysis, resumable, with progress, the paper's
/// <c>output_{rate}.txt</c> files plus sensitivity.json/.csv and PNG plots.
/// </summary>
public sealed class SensitivityCommand : Command<SensitivityCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--data <YAML>")]
        [Description("YOLO data yaml; its val split is evaluated.")]
        public string? Data { get; init; }

        [CommandOption("--pruning-rate <LIST>")]
        [Description("Rates to try for every layer, e.g. \"[[0.25, 0.5, 0.75]]\" (default) or 0.5.")]
        [DefaultValue("[0.25, 0.5, 0.75]")]
        public string PruningRate { get; init; } = "[0.25, 0.5, 0.75]";

        [CommandOption("--criterion <N>")]
        [DefaultValue(0)]
        public int Criterion { get; init; }

        [CommandOption("--seed <N>")]
        [DefaultValue(0L)]
        public long Seed { get; init; }

        [CommandOption("--layers <RANGES>")]
        [Description("Prunable layers to analyse, e.g. 0-54 or 3,8,20-25 (default: all).")]
        public string? Layers { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Output folder; a re-run with the same folder continues where it stopped.")]
        public string? Out { get; init; }

        [CommandOption("--img <SIZE>")]
        [DefaultValue(640)]
        public int Img { get; init; } = 640;

        [CommandOption("--batch <N>")]
        [Description("Batch size. Fast mode also holds one batch's activations for the variants being evaluated: lower it for large models at 640.")]
        [DefaultValue(32)]
        public int Batch { get; init; } = 32;

        [CommandOption("--conf <THRESHOLD>")]
        [DefaultValue(0.001)]
        public double Conf { get; init; } = 0.001;

        [CommandOption("--iou <THRESHOLD>")]
        [DefaultValue(0.65)]
        public double Iou { get; init; } = 0.65;

        [CommandOption("--naive")]
        [Description("Evaluate like the paper: copy, prune, re-decode and evaluate per (layer, rate). For comparison.")]
        public bool Naive { get; init; }

        [CommandOption("--activation-cache-gb <GB>")]
        [Description("Fast mode: GiB for the unpruned activations the variants reuse. Batches beyond it are recomputed per group of 12 variants, saved together. Metrics do not depend on it.")]
        [DefaultValue(4.0)]
        public double ActivationCacheGb { get; init; } = SensitivityOptions.DefaultActivationCacheBytes / (double)(1L << 30);

        [CommandOption("--no-plots")]
        public bool NoPlots { get; init; }

        [CommandOption("--json")]
        [Description("Print the results as one JSON document instead of the summary.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Data == null || Out == null)
                return ValidationResult.Error("--data YAML and --out DIR are required");
            if (!File.Exists(Data))
                return ValidationResult.Error($"--data {Data}: file not found");
            if (Weights == null)
                return ValidationResult.Error("--weights is required: the trained model to analyse");
            if (Criterion is < 0 or > 6)
                return ValidationResult.Error($"--criterion {Criterion}: use 0-6");
            if (Img <= 0 || Batch <= 0)
                return ValidationResult.Error("--img and --batch must be positive");
            if (!(ActivationCacheGb >= 0) || double.IsInfinity(ActivationCacheGb))
                return ValidationResult.Error($"--activation-cache-gb {ActivationCacheGb}: use a size in GiB, 0 or more");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var rates = RateList.Parse(settings.PruningRate);
        using var loaded = ModelSource.Open(settings);
        var layers = settings.Layers == null ? null : LayerRanges.Parse(settings.Layers, loaded.Model.PrunableLayers.Count);
        var data = DataYaml.Load(settings.Data!);
        var options = new SensitivityOptions(rates, (Criterion)settings.Criterion, settings.Seed, layers,
            NmsOptions.ForTest with { ConfThreshold = settings.Conf, IouThreshold = settings.Iou }, settings.Naive,
            (long)(settings.ActivationCacheGb * (1L << 30)));
        var analysis = new SensitivityAnalysis(loaded, data, ImageSizeOption.ForModel(loaded.Model, settings.Img), settings.Batch, options);

        IReadOnlyList<SensitivityResult> results = [];
        if (settings.Json || Console.IsErrorRedirected)
        {
            results = analysis.Run(settings.Out!, new LineProgress(), cancellationToken);
        }
        else
        {
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("sensitivity analysis", maxValue: analysis.Plan().Count);
                    results = analysis.Run(settings.Out!, new SyncProgress<SensitivityProgress>(p =>
                    {
                        task.Value = p.Done;
                        task.Description = Markup.Escape(Extremes(p.Results));
                    }), cancellationToken);
                });
        }

        if (analysis.CacheUse is { } cache && !settings.Json)
        {
            const double GiB = 1L << 30;
            Console.Error.WriteLine($"unpruned activations kept: {cache.KeptBatches}/{cache.Batches} batches, peak {cache.PeakBytes / GiB:F2} GiB" +
                                    (cache.KeptBatches < cache.Batches
                                        ? $"; the others were recomputed per group of variants. All would need {Math.Ceiling(cache.NeededBytes / GiB * 10) / 10:F1} GiB (--activation-cache-gb)."
                                        : ""));
        }
        var written = WriteReports(settings.Out!, results);
        if (!settings.NoPlots && results.Count > 0)
        {
            try
            {
                written.AddRange(SensitivityPlots.Write(settings.Out!, SensitivityTable.FromResults(results)));
            }
            catch (SensitivityDataException e)
            {
                // Plots compare every layer; a partial run (--layers) still has its text, json and csv results.
                Console.Error.WriteLine($"note: no plots: {e.Message}");
            }
        }
        if (settings.Json)
        {
            JsonOutput.Print(new { Results = results.Select(ToJson), Files = written });
            return 0;
        }
        Render(results, rates);
        foreach (var file in written)
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(file)}[/]");
        return 0;
    }

    private static string Extremes(IReadOnlyList<SensitivityResult> results)
    {
        if (results.Count == 0)
            return "sensitivity analysis";
        var worst = results.MinBy(r => r.Map)!;
        var best = results.MaxBy(r => r.Map)!;
        return $"most sensitive: layer {worst.Layer}@{worst.Rate} mAP {worst.Map:F3}; least: layer {best.Layer}@{best.Rate} mAP {best.Map:F3}";
    }

    private static object ToJson(SensitivityResult r) => new
    {
        r.Layer, r.Rate, r.Mp, r.Mr, r.Map50, r.Map, Maps = r.PerClassMaps, r.Params, r.Gflops,
        SpeedMs = new[] { r.Timing.InferenceMs, r.Timing.NmsMs, r.Timing.TotalMs },
    };

    private static List<string> WriteReports(string dir, IReadOnlyList<SensitivityResult> results)
    {
        var json = Path.Combine(dir, "sensitivity.json");
        AtomicText.Write(json, JsonSerializer.Serialize(new { Results = results.Select(ToJson) }, JsonOutput.Options));
        var csv = new StringBuilder("layer,rate,mp,mr,map50,map,params,gflops,inference_ms,nms_ms\n");
        foreach (var r in results)
            csv.Append(string.Join(",", new object[] { r.Layer, r.Rate, r.Mp, r.Mr, r.Map50, r.Map, r.Params, r.Gflops, r.Timing.InferenceMs, r.Timing.NmsMs }
                .Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))).Append('\n');
        var csvPath = Path.Combine(dir, "sensitivity.csv");
        AtomicText.Write(csvPath, csv.ToString());
        return [.. Directory.GetFiles(dir, "output_*.txt").Order(), json, csvPath];
    }

    private static void Render(IReadOnlyList<SensitivityResult> results, IReadOnlyList<double> rates)
    {
        var table = new Table().RoundedBorder().Title("mAP@.5:.95 with one layer pruned");
        table.AddColumn("layer");
        foreach (var rate in rates)
            table.AddColumn(new TableColumn($"rate {rate.ToString(CultureInfo.InvariantCulture)}").RightAligned());
        foreach (var layer in results.GroupBy(r => r.Layer).OrderBy(g => g.Key))
            table.AddRow([layer.Key.ToString(CultureInfo.InvariantCulture), .. rates.Select(rate => layer.FirstOrDefault(r => r.Rate == rate)?.Map.ToString("F4", CultureInfo.InvariantCulture) ?? "-")]);
        AnsiConsole.Write(table);
    }

    /// <summary>Progress as plain lines on stderr when no terminal draws a bar (CI logs, --json).</summary>
    private sealed class LineProgress : IProgress<SensitivityProgress>
    {
        public void Report(SensitivityProgress p) =>
            Console.Error.WriteLine($"[{p.Done}/{p.Total}] elapsed {p.Elapsed:hh\\:mm\\:ss}" +
                                    (p.Remaining is { } eta ? $", ETA {eta:hh\\:mm\\:ss}" : "") + $"; {Extremes(p.Results)}");
    }
}
