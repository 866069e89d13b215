using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Data.Synthetic;
using PruneCluster.Engine.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands;

/// <summary>
/// <c>prunecluster dataset synth --out DIR</c>: writes a synthetic shapes detection data set in YOLOv7's layout
/// (engine/Data/Synthetic), for demos, tests and quick training runs without any downloaded data.
/// </summary>
public sealed class DatasetSynthCommand : Command<DatasetSynthCommand.Settings>
{
    /// <summary>Options of <see cref="DatasetSynthCommand"/>.</summary>
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Folder to create (images/, labels/, data.yaml, synth.json); it must be new or empty unless --overwrite")]
        public string? Out { get; init; }

        [CommandOption("--images <N>")]
        [Description("Images in total, train + val (at least 2)")]
        [DefaultValue(1000)]
        public int Images { get; init; } = 1000;

        [CommandOption("--classes <N>")]
        [Description("Classes = shape kinds, in this order: circle, square, triangle, cross, ring, star, crescent, hexagon (1 to 8)")]
        [DefaultValue(4)]
        public int Classes { get; init; } = 4;

        [CommandOption("--kinds <LIST>")]
        [Description("Shape kinds to label, in class order, e.g. circle,ring (overrides --classes, which takes the first N kinds)")]
        public string? Kinds { get; init; }

        [CommandOption("--img <PIXELS>")]
        [Description("Width and height of the square images, a multiple of 32 from 64 to 4096")]
        [DefaultValue(320)]
        public int Img { get; init; } = 320;

        [CommandOption("--seed <N>")]
        [Description("Random seed; the same seed and options give byte-identical files")]
        [DefaultValue(0L)]
        public long Seed { get; init; }

        [CommandOption("--val-fraction <F>")]
        [Description("Share of the images in the val split (the last ones), above 0 and below 1")]
        [DefaultValue(0.2)]
        public double ValFraction { get; init; } = 0.2;

        [CommandOption("--object-size <MIN,MAX>")]
        [Description("Object sizes (circumscribed diameter) as shares of the image size, log-uniform between MIN and MAX (at least 8 px)")]
        [DefaultValue("0.05,0.4")]
        public string ObjectSize { get; init; } = "0.05,0.4";

        [CommandOption("--max-objects <N>")]
        [Description("Objects per image: 1 to N (fewer where occlusion leaves no room)")]
        [DefaultValue(8)]
        public int MaxObjects { get; init; } = 8;

        [CommandOption("--min-visible <F>")]
        [Description("Least share of each object left visible (not hidden by other objects or the image edge), above 0 and at most 1; 1 = whole objects only")]
        [DefaultValue(0.5)]
        public double MinVisible { get; init; } = 0.5;

        [CommandOption("--overwrite")]
        [Description("Replace --out if it holds a data set written by this command (it has synth.json); the old one stays until the new one is complete")]
        public bool Overwrite { get; init; }

        public SyntheticDatasetOptions ToOptions()
        {
            var (min, max) = ObjectSizes();
            return new()
            {
                Images = Images, Classes = Classes, Kinds = Kinds is null ? null : SyntheticDatasetOptions.ParseKinds(Kinds), ImageSize = Img, Seed = Seed, ValFraction = ValFraction,
                MinObjectSize = min, MaxObjectSize = max, MaxObjects = MaxObjects, MinVisible = MinVisible,
            };
        }

        // "MIN,MAX"; anything else reads as NaN, which Validate reports.
        private (double Min, double Max) ObjectSizes()
        {
            var parts = ObjectSize.Split(',');
            double Read(int i) => parts.Length == 2 && double.TryParse(parts[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
            return (Read(0), Read(1));
        }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out))
                return ValidationResult.Error("--out is required: the folder to write the data set to");
            if (Kinds is not null && SyntheticDatasetOptions.ParseKinds(Kinds) is null)
                return ValidationResult.Error($"--kinds {Kinds}: use names from {string.Join(", ", Enum.GetValues<ShapeKind>().Select(SyntheticDatasetOptions.NameOf))}, comma-separated");
            var (min, max) = ObjectSizes();
            if (double.IsNaN(min) || double.IsNaN(max))
                return ValidationResult.Error($"--object-size {ObjectSize}: give MIN,MAX as shares of the image size, e.g. 0.05,0.4");
            return ToOptions().Error() is { } optionError ? ValidationResult.Error(optionError)
                : SyntheticDataset.TargetError(Out, Overwrite) is { } targetError ? ValidationResult.Error(targetError)
                : ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = settings.ToOptions();
        var clock = Stopwatch.StartNew();
        SyntheticDatasetSummary? summary = null;
        if (Console.IsErrorRedirected)
        {
            // Plain lines for logs: one per tenth of the images.
            var step = Math.Max(1, options.Images / 10);
            summary = SyntheticDataset.Write(settings.Out!, options, settings.Overwrite, new SyncProgress<SyntheticProgress>(p =>
            {
                if (p.Done % step == 0 || p.Done == p.Total)
                    Console.Error.WriteLine($"[{p.Done}/{p.Total}] images, elapsed {clock.Elapsed:hh\\:mm\\:ss}");
            }), cancellationToken);
        }
        else
        {
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("synthetic images", maxValue: options.Images);
                    summary = SyntheticDataset.Write(settings.Out!, options, settings.Overwrite,
                        new SyncProgress<SyntheticProgress>(p => task.Value = p.Done), cancellationToken);
                });
        }

        var s = summary!;
        var seconds = clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
        Console.WriteLine($"wrote {s.TrainImages + s.ValImages} images ({s.TrainImages} train, {s.ValImages} val) of {options.ImageSize}x{options.ImageSize} to {s.Folder} in {seconds} s");
        Console.WriteLine("objects per class (train/val): " + string.Join(", ", s.Names.Select((n, c) => $"{n} {s.TrainObjects[c]}/{s.ValObjects[c]}")));
        Console.WriteLine($"data yaml: {s.DataYaml}");
        return 0;
    }
}
