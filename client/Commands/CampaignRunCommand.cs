using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Campaign;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands;

/// <summary>
/// <c>prunecluster campaign run</c>: the paper's iterative loop (sensitivity → selection → prune → fine-tune →
/// evaluate) on this machine, resumable at any phase, ending with a report.
/// </summary>
public sealed class CampaignRunCommand : Command<CampaignRunCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--weights <PATH>")]
        [Description("The trained checkpoint to prune.")]
        public string? Weights { get; init; }

        [CommandOption("--data <YAML>")]
        [Description("YOLOv7 data yaml: fine-tuning trains on its train split, every evaluation uses its val split.")]
        public string? Data { get; init; }

        [CommandOption("--config <YAML>")]
        [Description("campaign.yaml (see docs/campaign.md); default: the paper's settings.")]
        public string? Config { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Campaign folder: campaign.json, iteration-K/…, report.md/.html/.json. Running again resumes it.")]
        public string? Out { get; init; }

        [CommandOption("--device <DEVICE>")]
        [Description("cpu (default) or cuda:N.")]
        [DefaultValue("cpu")]
        public string Device { get; init; } = "cpu";

        [CommandOption("--workers <N>")]
        [Description("Loader threads of fine-tuning (results do not depend on it).")]
        [DefaultValue(2)]
        public int Workers { get; init; } = 2;

        public override ValidationResult Validate()
        {
            if (Weights == null || Data == null || Out == null)
                return ValidationResult.Error("--weights PATH, --data YAML and --out DIR are required");
            if (!File.Exists(Weights))
                return ValidationResult.Error($"--weights {Weights}: file not found");
            if (!File.Exists(Data))
                return ValidationResult.Error($"--data {Data}: file not found; pass a YOLOv7 data yaml");
            if (Config != null && !File.Exists(Config))
                return ValidationResult.Error($"--config {Config}: file not found; pass a campaign.yaml or leave it out for the defaults");
            if (File.Exists(Out))
                return ValidationResult.Error($"--out {Out} is a file; give a folder");
            if (Device != "cpu" && !Device.StartsWith("cuda", StringComparison.Ordinal))
                return ValidationResult.Error($"--device {Device}: use cpu or cuda:N");
            if (Workers < 1)
                return ValidationResult.Error($"--workers {Workers}: use 1 or more");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var spec = settings.Config is { } config ? CampaignSpecFile.Load(config) : CampaignSpec.Default;
        var campaign = new LocalCampaign(spec, settings.Weights!, settings.Data!, settings.Out!, settings.Device, settings.Workers);
        var record = campaign.Open();
        var first = LocalCampaign.Describe(CampaignPlanner.Next(record));
        Console.Error.WriteLine(record.Baseline is null
            ? $"campaign {campaign.Folder.Path}: {settings.Weights} on {settings.Data}, up to {spec.Stop.MaxIterations} iterations"
            : $"resuming campaign {campaign.Folder.Path} at {Where(first.Iteration, first.Phase)}");

        // The first Ctrl-C stops at the next batch with everything finished saved; a second one stops now.
        if (!CtrlC.TryRun(cancellationToken, token => campaign.Run(record, new ProgressLines(), token), () =>
            {
                var saved = CampaignRecordFile.Load(campaign.Folder.RecordPath);
                var next = LocalCampaign.Describe(CampaignPlanner.Next(saved.Resumed()));
                return $"interrupted: {campaign.Folder.RecordPath} holds {saved.Iterations.Count(i => i.IsComplete)} complete iterations; " +
                       $"{Where(next.Iteration, next.Phase)} continues from its saved files (finished variants, epochs) when you run the same command again";
            }, out var outcome))
            return CtrlC.ExitCode;

        var final = CampaignRecordFile.Load(campaign.Folder.RecordPath);
        var written = CampaignReport.Write(campaign.Folder, final, outcome);
        AnsiConsole.MarkupLine($"campaign finished: {Markup.Escape(outcome.Message)}");
        foreach (var file in written)
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(file)}[/]");
        return 0;
    }

    private static string Where(int iteration, string phase) => iteration == 0 ? phase : $"iteration {iteration}, {phase}";

    /// <summary>One stderr line per phase start and then at most one every few seconds, with the phase's ETA.</summary>
    private sealed class ProgressLines : IProgress<CampaignProgress>
    {
        private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
        private (int, string) _phase;

        public void Report(CampaignProgress p)
        {
            var newPhase = _phase != (p.Iteration, p.Phase);
            if (!newPhase && _sinceLine.Elapsed < TimeSpan.FromSeconds(10))
                return;
            _phase = (p.Iteration, p.Phase);
            _sinceLine.Restart();
            var eta = p.Remaining is { } r ? ", ETA " + r.ToString(r.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture) : "";
            Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {Where(p.Iteration, p.Phase)}: {p.Detail}{eta}");
        }
    }
}
