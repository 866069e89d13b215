using System.ComponentModel;
using System.Globalization;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands;

/// <summary><c>prunecluster prune</c>: the paper's prune.py, through the derived graph, saving the pruned model.</summary>
public sealed class PruneCommand : Command<PruneCommand.Settings>
{
    public sealed class Settings : PruningSettings
    {
        [CommandOption("--save <PATH>")]
        [Description("Where to write the pruned checkpoint (.pt).")]
        public string? Save { get; init; }

        [CommandOption("--format <FORMAT>")]
        [Description(CheckpointFormatOption.Description)]
        [DefaultValue("yolov7")]
        public string FormatText { get; init; } = "yolov7";

        public ModelFileFormat Format => CheckpointFormatOption.Parse(FormatText);

        [CommandOption("--save-plan <FILE>")]
        [Description("Also write the pruning as a plan file (the filters kept per layer), which --plan FILE replays exactly.")]
        public string? SavePlan { get; init; }

        [CommandOption("--img <SIZE>")]
        [Description("Image size for the GFLOPs before and after (default 640); rounded up to a multiple of the model's max stride, like YOLOv7's check_img_size.")]
        [DefaultValue(640)]
        public int Img { get; init; } = 640;

        [CommandOption("--json")]
        [Description("Print one JSON document (saved, params_before, gflops_before, pruned, stats) instead of the table.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (PruningParamsText == null && PlanFile == null)
                return ValidationResult.Error("--pruning-params is required, e.g. \"[(8, 0.5), (18, 0.5)]\" or 0.25 (or --plan FILE)");
            if (Save == null)
                return ValidationResult.Error("--save PATH is required: where to write the pruned model");
            if (CheckpointFormatOption.Validate(FormatText) is { Successful: false } format)
                return format;
            return ImageSizeOption.Validate(Img) is { Successful: false } error ? error : base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var loaded = ModelSource.Open(settings);
        var img = ImageSizeOption.ForModel(loaded.Model, settings.Img);
        var before = ModelMeasure.Measure(loaded.Model, img);
        var plan = settings.PruneInPlace(loaded.Model);
        var pixels = ConvPixelMap.Measure(loaded.Model);
        var after = ModelMeasure.Measure(loaded.Model, img, pixels);
        ModelFile.Save(settings.Save!, loaded.Model, loaded.History.Then(plan), loaded.ClassNames, settings.Format);
        if (settings.SavePlan != null)
            PruningPlanFile.Write(settings.SavePlan, plan);
        var note = plan.Steps.Count > 0 ? null
            : plan.Skipped.Count > 0 ? "no layer was pruned (every listed rate was skipped); the saved file is an unpruned copy"
            : "--pruning-params lists no layer; the saved file is an unpruned copy";
        if (settings.Json)
        {
            JsonOutput.Print(new
            {
                Saved = Path.GetFullPath(settings.Save!),
                ParamsBefore = before.Params,
                GflopsBefore = Math.Round(before.Gflops, 6),
                Pruned = plan.Steps.Select(s => new { s.Layer, s.ChannelsBefore, ChannelsAfter = s.Kept.Count }),
                Skipped = plan.Skipped.Select(s => new { s.Layer, s.Rate, s.Channels, s.Reason }),
                Note = note,
                // The pruned model's figures at the top level, as info --json has them; "stats" stays for old readers.
                after.Params,
                after.ParamsFused,
                Gflops = Math.Round(after.Gflops, 6),
                after.Img,
                Layers = StatsView.LayersToJson(after),
                Stats = StatsView.ToJson(after),
            });
            return 0;
        }
        foreach (var step in plan.Steps)
            AnsiConsole.MarkupLine($"layer {step.Layer}: removed {step.Removed}/{step.ChannelsBefore} filters");
        foreach (var skip in plan.Skipped)
            AnsiConsole.MarkupLine($"[yellow]layer {skip.Layer}: skipped at rate {skip.Rate.ToString("R", CultureInfo.InvariantCulture)}, {Markup.Escape(skip.Reason)}[/]");
        StatsView.Render(after, settings.Save!);
        if (note != null)
            AnsiConsole.MarkupLine($"[yellow]note: {Markup.Escape(note)}[/]");
        AnsiConsole.MarkupLine($"params {before.Params:N0} → {after.Params:N0} ({1 - (double)after.Params / before.Params:P2} fewer), " +
                               $"GFLOPs {before.Gflops:F3} → {after.Gflops:F3}; saved [bold]{Markup.Escape(settings.Save!)}[/]");
        return 0;
    }
}
