using System.ComponentModel;
using PruneCluster.Client.Cli;
using PruneCluster.Client.Cluster;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands.Campaign;

/// <summary><c>prunecluster campaign status ID [--watch] [--json]</c>: phase, step, baseline and iterations, outcome.</summary>
public sealed class CampaignStatusCommand : AsyncCommand<CampaignStatusCommand.Settings>
{
    public sealed class Settings : CampaignIdSettings
    {
        [CommandOption("--watch")]
        [Description("Follow the campaign: a line whenever its step changes, until it ends (Ctrl-C stops watching)")]
        public bool Watch { get; init; }

        [CommandOption("--json")]
        [Description("Print the status as one JSON document")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var ctrlC = new CtrlC(cancellationToken);
        await using var session = await CampaignSessions.Open(settings, settings.Id, ctrlC.Token);
        var status = await CampaignSessions.Status(session, settings.Id, ctrlC.Token);
        if (settings.Watch && !status.Ended)
        {
            try
            {
                status = await CampaignFollower.Follow(session, settings.Id, ctrlC.Token);
            }
            catch (OperationCanceledException) when (ctrlC.Token.IsCancellationRequested)
            {
                return CtrlC.ExitCode;
            }
        }
        if (settings.Json)
            JsonOutput.Print(status);
        else
            Console.WriteLine(CampaignView.Render(status));
        return 0;
    }
}
