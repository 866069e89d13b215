using System.ComponentModel;
using PruneCluster.Client.Cluster;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Grains.Contracts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands.Campaign;

/// <summary>
/// <c>prunecluster campaign start</c>: checks every input, puts the weights into the artifact store and starts the
/// campaign — on the cluster (<c>--cluster</c>; prints the id and returns) or on an embedded cluster in this process
/// (stays in the foreground until the campaign ends; Ctrl-C stops, <c>campaign resume</c> continues).
/// </summary>
public sealed class CampaignStartCommand : AsyncCommand<CampaignStartCommand.Settings>
{
    public sealed class Settings : EmbeddedClusterSettings
    {
        [CommandOption("--weights <PT>")]
        [Description("The trained checkpoint the campaign starts from")]
        public string? Weights { get; init; }

        [CommandOption("--data <YAML>")]
        [Description("The data yaml: val is evaluated, train fine-tuned on. In a cluster, a path every silo sees")]
        public string? Data { get; init; }

        [CommandOption("--config <YAML>")]
        [Description("campaign.yaml (docs/campaign.md); default: the paper's settings")]
        public string? Config { get; init; }

        [CommandOption("--artifacts <DIR>")]
        [Description("The artifact store (required with --cluster: the folder every silo mounts). Embedded default: the campaign's folder")]
        public string? Artifacts { get; init; }

        [CommandOption("--name <NAME>")]
        [Description("A name for people (default: the weights file's name); the id adds six hex digits")]
        public string? Name { get; init; }

        public override ValidationResult Validate()
        {
            if (Cluster is not null && Artifacts is null)
                return ValidationResult.Error("--cluster needs --artifacts DIR: the artifact store every silo mounts (their --artifacts)");
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var inputs = CheckedCampaignStart.Check(settings.Weights, settings.Data, settings.Config, settings.Name);
        if (settings.Cluster is not null)
        {
            var id = inputs.NewId();
            var start = inputs.Upload(new ArtifactStore(settings.Artifacts!));
            await using var remote = await settings.Connect(cancellationToken);
            await ClusterCalls.Retry(() => remote.Grains.GetGrain<ICampaignGrain>(id).Start(start), cancellationToken);
            Console.WriteLine(id);
            return 0;
        }

        return await EmbeddedCampaign.Run(inputs, settings.Dir, settings.Artifacts, settings.Device, settings.Slots, settings.DashboardPort, cancellationToken);
    }
}
