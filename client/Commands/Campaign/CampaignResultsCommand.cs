using System.ComponentModel;
using PruneCluster.Client.Cluster;
using PruneCluster.Engine.Artifacts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands.Campaign;

/// <summary><c>prunecluster campaign results ID --out DIR</c>: report, record, checkpoints and sensitivity files of a campaign.</summary>
public sealed class CampaignResultsCommand : AsyncCommand<CampaignResultsCommand.Settings>
{
    public sealed class Settings : CampaignIdSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Folder to write report.md, campaign.json, the checkpoints and iteration-K/sensitivity/output_*.txt to")]
        public string? Out { get; init; }

        [CommandOption("--artifacts <DIR>")]
        [Description("With --cluster: the artifact store the silos share (their --artifacts)")]
        public string? Artifacts { get; init; }

        public override ValidationResult Validate() =>
            Out is null ? ValidationResult.Error("--out DIR is required")
            : Cluster is not null && Artifacts is null ? ValidationResult.Error("--cluster needs --artifacts DIR: the artifact store the silos share")
            : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var session = await CampaignSessions.Open(settings, settings.Id, cancellationToken);
        var store = new ArtifactStore(settings.Artifacts ?? EmbeddedCluster.Artifacts(settings.Folder(settings.Id)));
        Console.WriteLine($"report: {await CampaignResults.Write(session, settings.Id, store, settings.Out!, cancellationToken)}");
        return 0;
    }
}
