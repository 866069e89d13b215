using System.ComponentModel;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Plots;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Runtime;
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
        [Description("Filter importance, the paper's numbering: 0 smallest L2 norm (default), 1 largest L2, 2 smallest L1, 3 largest L1, 4 smallest BN scale, 5 smallest BN scale × L1, 6 random (with --seed).")]
        [DefaultValue(0)]
        public int Criterion { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Seed of the random criterion (--criterion 6); recorded with the results.")]
        [DefaultValue(0L)]
        public long Seed { get; init; }

        [CommandOption("--importance-precision <stored|float32>")]
        [Description("stored (default): rank filters in the checkpoint's stored precision, as the paper's prune.py (float16 for YOLOv7's files); float32: always in float32. Recorded with the results; use the same with prune/test.")]
        [DefaultValue("stored")]
        public string ImportancePrecision { get; init; } = "stored";

        [CommandOption("--round-to <N>")]
        [Description("Each pruned layer keeps a multiple of N filters, rounded towards keeping more, as prune --round-to (1 = the paper's counts).")]
        [DefaultValue(1)]
        public int RoundTo { get; init; } = 1;

        [CommandOption("--layers <RANGES>")]
        [Description("Prunable layers to analyse, e.g. 0-54 or 3,8,20-25 (default: all). Runs with other layers add to the same folder.")]
        public string? Layers { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Output folder. It records what it was measured with (analysis.json): a re-run with the same settings resumes where it stopped, one with other settings is refused.")]
        public string? Out { get; init; }

        [CommandOption("--restart")]
        [Description("Start a new analysis in --out: the files of the one there are first moved into --out/previous-YYYYMMDD-HHMMSS/.")]
        public bool Restart { get; init; }

        [CommandOption("--img <SIZE>")]
        [Description("Evaluation image size (pixels).")]
        [DefaultValue(640)]
        public int Img { get; init; } = 640;

        [CommandOption("--batch <N>")]
        [Description("Batch size (it sets the rectangular batch shapes, so it is part of the analysis). Fast mode also holds one batch's activations for the variants being evaluated: lower it for large models at 640.")]
        [DefaultValue(32)]
        public int Batch { get; init; } = 32;

        [CommandOption("--conf <THRESHOLD>")]
        [Description("NMS confidence threshold, 0-1 (test.py's 0.001).")]
        [DefaultValue(0.001)]
        public double Conf { get; init; } = 0.001;

        [CommandOption("--iou <THRESHOLD>")]
        [Description("NMS IoU threshold, 0-1 (test.py's 0.65).")]
        [DefaultValue(0.65)]
        public double Iou { get; init; } = 0.65;

        [CommandOption("--naive")]
        [Description("Evaluate like the paper: copy, prune, re-decode and evaluate per (layer, rate). For comparison; same results.")]
        public bool Naive { get; init; }

        [CommandOption("--activation-cache-gb <GB>")]
        [Description("Fast mode: GiB for the unpruned activations the variants reuse. Batches beyond it are recomputed per group of 12 variants, saved together. Metrics do not depend on it.")]
        [DefaultValue(4.0)]
        public double ActivationCacheGb { get; init; } = SensitivityOptions.DefaultActivationCacheBytes / (double)(1L << 30);

        [CommandOption("--no-plots")]
        [Description("Do not write the PNG figures.")]
        public bool NoPlots { get; init; }

        [CommandOption("--json")]
        [Description("Print the folder's results as one JSON document instead of the summary.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Data == null || Out == null)
                return ValidationResult.Error("--data YAML and --out DIR are required");
            if (!File.Exists(Data))
                return ValidationResult.Error($"--data {Data}: file not found");
            if (File.Exists(Out))
                return ValidationResult.Error($"--out {Out} is a file; give a folder");
            if (Weights == null)
                return ValidationResult.Error("--weights is required: the trained model to analyse");
            if (Criterion is < 0 or > 6)
                return ValidationResult.Error($"--criterion {Criterion}: use 0-6");
            if (ImageSizeOption.Validate(Img) is { Successful: false } badImg)
                return badImg;
            if (Batch <= 0)
                return ValidationResult.Error($"--batch {Batch}: must be positive");
            if (PruningSettings.RoundToError(RoundTo) is { } roundTo)
                return roundTo;
            if (ImportancePrecision.ToLowerInvariant() is not ("stored" or "float32"))
                return ValidationResult.Error($"--importance-precision '{ImportancePrecision}': use stored or float32");
            if (!(Conf is >= 0 and <= 1))
                return ValidationResult.Error($"--conf {Conf}: use a threshold between 0 and 1");
            if (!(Iou is >= 0 and <= 1))
                return ValidationResult.Error($"--iou {Iou}: use a threshold between 0 and 1");
            if (!(ActivationCacheGb >= 0) || double.IsInfinity(ActivationCacheGb))
                return ValidationResult.Error($"--activation-cache-gb {ActivationCacheGb}: use a size in GiB, 0 or more");
            try
            {
                ParseRates(PruningRate);
                if (Layers != null)
                    LayerRanges.Parse(Layers);
            }
            catch (PruningException e)
            {
                return ValidationResult.Error(e.Message);
            }
            return base.Validate();
        }
    }

    /// <summary>The rates, each one a whole percent (the files carry the rate only in their name; see SensitivityFile.CheckRate).</summary>
    private static IReadOnlyList<double> ParseRates(string text)
    {
        var rates = RateList.Parse(text);
        if (rates.Select(SensitivityFile.CheckRate).FirstOrDefault(problem => problem != null) is { } problem)
            throw new PruningException($"--pruning-rate '{text}': {problem}");
        return rates;
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var rates = ParseRates(settings.PruningRate);
        var layers = settings.Layers == null ? null : LayerRanges.Parse(settings.Layers);
        var data = DataYaml.Load(settings.Data!);
        var options = new SensitivityOptions(rates, (Criterion)settings.Criterion, settings.Seed, layers,
            NmsOptions.ForTest with { ConfThreshold = settings.Conf, IouThreshold = settings.Iou }, settings.Naive,
            (long)(settings.ActivationCacheGb * (1L << 30)), ImportancePrecision: settings.ImportancePrecision.ToLowerInvariant(), RoundTo: settings.RoundTo);
        var folder = new SensitivityFolder(settings.Out!);
        using var loaded = ModelSource.Open(settings);
        // The one --img rule (rounded up to the model's grid), so the folder records the size actually measured.
        var img = ImageSizeOption.ForModel(loaded.Model, settings.Img);
        if (layers != null)
            LayerRanges.CheckRange(layers, loaded.Model.PrunableLayers.Count, settings.Layers!);
        // Checked before the data are loaded: a run that would mix analyses stops at once (naming what differs).
        if (!settings.Restart)
            folder.CheckResumable(SensitivityIdentity.Measure(settings.Weights!, data, img, settings.Batch, options));
        ModelEvaluator.CheckClassCount(loaded.Model, data, loaded.Path);
        // --restart moves the old analysis aside only once every other check has passed.
        if (settings.Restart && folder.MoveAside(ReportNames) is { } moved)
            Console.Error.WriteLine($"moved the previous analysis of {settings.Out} to {moved}");
        var analysis = new SensitivityAnalysis(loaded, data, img, settings.Batch, options, context.Data as EngineRuntime);
        var plan = analysis.Plan();
        var existing = folder.ReadResults();
        var pending = plan.Where(v => !existing.ContainsKey(v)).ToList();
        if (existing.Count > 0)
        {
            var done = plan.Count - pending.Count;
            Console.Error.WriteLine(pending.Count == 0 ? $"{settings.Out} already holds all {plan.Count} results of this run; nothing to evaluate"
                : done > 0 ? $"resuming {settings.Out}: {done} of {plan.Count} results of this run already there; continuing at layer {pending[0].Layer}, rate {PythonRepr.Float(pending[0].Rate)}"
                : $"adding to {settings.Out} (same analysis, {existing.Count} results there): starting at layer {pending[0].Layer}, rate {PythonRepr.Float(pending[0].Rate)}");
        }

        // The first Ctrl-C stops after the current evaluation, with everything finished saved; a second one stops now.
        if (!CtrlC.TryRun(cancellationToken, token => RunWithProgress(analysis, settings, token),
                () => $"interrupted: {analysis.SavedResults} results are saved in {settings.Out} ({plan.Count - pending.Count + (analysis.SavedResults - existing.Count)} of the {plan.Count} this run planned); run the same command again to resume",
                out var results))
            return CtrlC.ExitCode;

        if (analysis.CacheUse is { } cache && !settings.Json)
        {
            const double GiB = 1L << 30;
            Console.Error.WriteLine($"unpruned activations kept: {cache.KeptBatches}/{cache.Batches} batches, peak {cache.PeakBytes / GiB:F2} GiB" +
                                    (cache.KeptBatches < cache.Batches
                                        ? $"; the others were recomputed per group of variants. All would need {Math.Ceiling(cache.NeededBytes / GiB * 10) / 10:F1} GiB (--activation-cache-gb)."
                                        : ""));
        }
        var record = folder.ReadRecord();
        var report = new SensitivityReport(results, record);
        var written = report.Write(settings.Out!);
        if (!settings.NoPlots && results.Count > 0)
        {
            try
            {
                // The whole folder, checked against its record: plots compare every layer at every rate.
                written.AddRange(SensitivityPlots.Write(settings.Out!, new SensitivityStore(settings.Out!).Load(), baseline: record?.Baseline));
            }
            catch (SensitivityDataException e)
            {
                Console.Error.WriteLine($"note: no plots yet: {e.Message}");
            }
        }
        foreach (var noOp in analysis.NoOps)
            Console.Error.WriteLine($"note: layer {noOp.Layer} at rate {PythonRepr.Float(noOp.Rate)} pruned nothing (it would remove all {noOp.Filters} filters); its line measures the unpruned model, and select never picks it ({SensitivityRecord.FileName} marks it)");
        if (settings.Json)
        {
            JsonOutput.Print(report.ToJson(written));
            return 0;
        }
        report.Render();
        foreach (var file in written)
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(file)}[/]");
        return 0;
    }

    /// <summary>Files the command writes besides the output_*.txt files and analysis.json (moved aside by --restart).</summary>
    private static IEnumerable<string> ReportNames => [.. SensitivityReport.FileNames, .. SensitivityPlots.FileNames];

    private static IReadOnlyList<SensitivityResult> RunWithProgress(SensitivityAnalysis analysis, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Json || Console.IsErrorRedirected)
            return analysis.Run(settings.Out!, new LineProgress(), cancellationToken);
        IReadOnlyList<SensitivityResult> results = [];
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
        return results;
    }

    private static string Extremes(IReadOnlyList<SensitivityResult> results)
    {
        if (results.Count == 0)
            return "sensitivity analysis";
        var worst = results.MinBy(r => r.Map)!;
        var best = results.MaxBy(r => r.Map)!;
        return $"most sensitive: layer {worst.Layer}@{worst.Rate} mAP {worst.Map:F3}; least: layer {best.Layer}@{best.Rate} mAP {best.Map:F3}";
    }

    /// <summary>Progress as plain lines on stderr when no terminal draws a bar (CI logs, --json).</summary>
    private sealed class LineProgress : IProgress<SensitivityProgress>
    {
        public void Report(SensitivityProgress p) =>
            Console.Error.WriteLine($"[{p.Done}/{p.Total}] elapsed {p.Elapsed:hh\\:mm\\:ss}" +
                                    (p.Remaining is { } eta ? $", ETA {eta:hh\\:mm\\:ss}" : "") + $"; {Extremes(p.Results)}");
    }
}
