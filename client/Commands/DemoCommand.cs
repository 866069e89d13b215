using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using PruneCluster.Client.Cli;
using PruneCluster.Client.Cluster;
using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Data.Synthetic;
using PruneCluster.Engine.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands;

/// <summary>
/// <c>prunecluster demo</c>: the whole product on a fresh machine with nothing downloaded — a synthetic data set, a
/// short baseline training of yolov7-tiny from scratch, and a two-iteration campaign on the embedded cluster, ending
/// with the ranked layer table and the report. Sized to finish in minutes on two CPU cores.
/// </summary>
public sealed class DemoCommand : AsyncCommand<DemoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Folder for the data, the baseline run and the campaign (new or empty)")]
        [DefaultValue("prunecluster-demo")]
        public string Out { get; init; } = "prunecluster-demo";

        [CommandOption("--images <N>")]
        [Description("Synthetic images (a fifth are val)")]
        [DefaultValue(256)]
        public int Images { get; init; } = 256;

        [CommandOption("--img <PIXELS>")]
        [Description("Image size of the data, the training and every evaluation (a multiple of 32)")]
        [DefaultValue(128)]
        public int Img { get; init; } = 128;

        [CommandOption("--baseline-epochs <N>")]
        [Description("Epochs of the baseline training")]
        [DefaultValue(16)]
        public int BaselineEpochs { get; init; } = 16;

        [CommandOption("--device <DEVICE>")]
        [Description("cpu or cuda:N")]
        [DefaultValue("cpu")]
        public string Device { get; init; } = "cpu";

        [CommandOption("--dashboard-port <PORT>")]
        [Description("The " + Cluster.DashboardPort.Help)]
        [DefaultValue(Cluster.DashboardPort.Default)]
        public int DashboardPort { get; init; } = Cluster.DashboardPort.Default;

        public override ValidationResult Validate() =>
            Cluster.DashboardPort.Check(DashboardPort) is { } bad ? ValidationResult.Error(bad)
            : Directory.Exists(Out) && Directory.EnumerateFileSystemEntries(Out).Any() ? ValidationResult.Error($"--out {Out} is not empty; give a new folder")
            : File.Exists(Out) ? ValidationResult.Error($"--out {Out} is a file; give a folder")
            : Images is < 10 or > 100_000 ? ValidationResult.Error($"--images {Images}: use 10 to 100000")
            : BaselineEpochs is < 1 or > 1000 ? ValidationResult.Error($"--baseline-epochs {BaselineEpochs}: use 1 to 1000")
            : ImageSizeOption.Validate(Img);
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var root = Path.GetFullPath(settings.Out);
        Console.Error.WriteLine($"[1/3] synthetic data: {settings.Images} images of {settings.Img} px in {root}/data");
        var data = SyntheticDataset.Write(Path.Combine(root, "data"), new SyntheticDatasetOptions { Images = settings.Images, Classes = 2, ImageSize = settings.Img }, cancellationToken: cancellationToken);

        Console.Error.WriteLine($"[2/3] baseline: yolov7-tiny trained from scratch for {settings.BaselineEpochs} epochs ({Elapsed(clock)})");
        var initial = Path.Combine(root, "initial.pt");
        using (var fresh = ModelSource.Open(new ModelSettings { Cfg = "yolov7-tiny", Device = settings.Device }, data.Names.Count))
            ModelFile.Save(initial, fresh.Model, fresh.History, data.Names);
        var recipe = CampaignSpec.Default with
        {
            Sensitivity = new SensitivitySpec(Img: settings.Img, Batch: 8),
            // From scratch on a few hundred images: train.py's 1000-batch warm-up floor would be the whole run at a
            // near-zero lr (nothing learnt); warmup_epochs alone (3) leaves the rest of the epochs at the full lr.
            FineTune = new FineTuneSpec(Epochs: settings.BaselineEpochs, BatchSize: 8, MinWarmupIters: 0),
        };
        var baseline = new CampaignPhases(recipe, data.DataYaml, settings.Device).FineTune(initial, Path.Combine(root, "baseline"), null, cancellationToken);
        Console.Error.WriteLine($"      baseline mAP@.5 {baseline.Map50.ToString("0.000", CultureInfo.InvariantCulture)}, {baseline.Params:N0} params ({Elapsed(clock)})");

        Console.Error.WriteLine($"[3/3] a two-iteration campaign on the embedded cluster ({Elapsed(clock)})");
        var config = Path.Combine(root, "campaign.yaml");
        File.WriteAllText(config, $"""
            # prunecluster demo: small and fast, not the paper's settings (docs/campaign.md)
            sensitivity:
              rates: [0.5]
              img: {settings.Img}
              batch: 8
            selection:
              mode: target
              gflops_step: 0.15
            fine_tune:
              epochs: 3
              batch_size: 8
              min_warmup_iters: 0
            stop:
              max_iterations: 2
            """);
        var inputs = CheckedCampaignStart.Check(baseline.Checkpoint, data.DataYaml, config, "demo");
        var exit = await EmbeddedCampaign.Run(inputs, Path.Combine(root, "campaigns"), null, settings.Device, 1, settings.DashboardPort, cancellationToken);
        Console.Error.WriteLine($"demo finished in {Elapsed(clock)}");
        return exit;
    }

    private static string Elapsed(Stopwatch clock) => CampaignView.Duration(clock.Elapsed.TotalSeconds);
}
