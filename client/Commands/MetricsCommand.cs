using System.ComponentModel;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands;

/// <summary>
/// <c>prunecluster metrics --input F.json [--json]</c>: re-scores saved detections (the layout
/// <c>test --save-predictions</c> writes) with YOLOv7's test.py metrics.
/// </summary>
public sealed class MetricsCommand(IAnsiConsole console) : Command<MetricsCommand.Settings>
{
    /// <summary>Command-line settings of <see cref="MetricsCommand"/>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Detections file to score.</summary>
        [CommandOption("-i|--input <FILE>")]
        // Descriptions are Spectre markup: square brackets would be read as styles, so none are used.
        [Description("Detections JSON as 'test --save-predictions' writes it: nc, and per image labels (cls x1 y1 x2 y2) and predictions (x1 y1 x2 y2 conf cls) in pixels")]
        public string? Input { get; init; }

        /// <summary>Also score COCO-style.</summary>
        [CommandOption("--coco")]
        [Description("Also score COCO-style (pycocotools' COCOeval rules) with the file's labels as ground truth (area = box w*h, no crowd regions) and print its 12-line summary; with --json, a 'coco' object")]
        public bool Coco { get; init; }

        /// <summary>COCO ground truth for --coco.</summary>
        [CommandOption("--coco-annotations <JSON>")]
        [Description("With --coco: take the ground truth from this COCO instances_*.json (images matched by the file's image names; the json's crowd regions and areas) instead of the file's labels")]
        public string? CocoAnnotations { get; init; }

        /// <summary>Print JSON instead of the table.</summary>
        [CommandOption("--json")]
        [Description("Print one JSON document (mp, mr, map50, map, maps, images, labels, per-class values) instead of the table")]
        public bool Json { get; init; }

        /// <inheritdoc />
        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Input))
                return ValidationResult.Error("--input is required: the detections JSON file to score");
            if (Directory.Exists(Input))
                return ValidationResult.Error($"--input {Input} is a directory; pass the detections JSON file inside it");
            if (!File.Exists(Input))
                return ValidationResult.Error($"--input {Input} does not exist; pass a file written by 'test --save-predictions'");
            if (CocoAnnotations != null && !Coco)
                return ValidationResult.Error("--coco-annotations only applies to COCO-style scoring; add --coco");
            if (CocoAnnotations is { } json && !File.Exists(json))
                return ValidationResult.Error($"--coco-annotations {json}: file not found; pass the COCO instances_*.json of the evaluated split");
            return ValidationResult.Success();
        }
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // A malformed file (MetricsFileException) is reported by UserErrors on stderr, in one line, with exit code 2.
        var file = MetricsFile.Read(settings.Input!);
        var metrics = file.Score();
        // Bad annotations (DatasetException, EvaluationException) are reported by UserErrors, like every command.
        var annotations = settings.CocoAnnotations is { } json ? CocoAnnotations.Load(json) : null;
        var coco = settings.Coco ? file.ScoreCoco(annotations) : null;
        // Raw text, not Spectre renderables: Spectre would wrap the 92-column table and long JSON lines at the
        // console width, and both outputs are meant to be compared or parsed verbatim.
        var output = settings.Json
            ? MetricsReport.Json(metrics, file.Names, coco)
            : MetricsReport.Table(metrics, file.Names) + (coco is null ? "" : Environment.NewLine + CocoReport.Text(coco, annotations?.JsonPath ?? CocoReport.LabelsGroundTruth));
        console.Profile.Out.Writer.Write(output);
        console.Profile.Out.Writer.Flush();
        return 0;
    }
}
