using System.ComponentModel;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Measures;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands;

/// <summary><c>prunecluster info</c>: the conv-layer table of a model and its totals.</summary>
public sealed class InfoCommand : Command<InfoCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--img <SIZE>")]
        [Description("Image size for GFLOPs (default 640); rounded up to a multiple of the model's max stride, like YOLOv7's check_img_size.")]
        [DefaultValue(640)]
        public int Img { get; init; } = 640;

        [CommandOption("--json")]
        [Description("Print one JSON document instead of the table.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            ImageSizeOption.Validate(Img) is { Successful: false } error ? error : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var loaded = ModelSource.Open(settings);
        var stats = ModelMeasure.Measure(loaded.Model, ImageSizeOption.ForModel(loaded.Model, settings.Img));
        if (settings.Json)
            JsonOutput.Print(StatsView.ToJson(stats));
        else
            StatsView.Render(stats, loaded.Path);
        return 0;
    }
}
