using System.ComponentModel;
using PruneCluster.Client.Cli;
using PruneCluster.Client.Cluster;
using PruneCluster.Grains.Contracts;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands.Campaign;

/// <summary>
/// <c>prunecluster campaign resume ID</c>: continues a cancelled, failed or interrupted campaign where it was. An
/// embedded campaign runs in the foreground again, as after start.
/// </summary>
public sealed class CampaignResumeCommand : AsyncCommand<CampaignResumeCommand.Settings>
{
    public sealed class Settings : EmbeddedClusterSettings
    {
        [CommandArgument(0, "<ID>")]
        [Description(CampaignIdSettings.IdHelp)]
        public string Id { get; init; } = "";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var ctrlC = new CtrlC(cancellationToken);
        var dashboard = settings.Cluster is null ? DashboardPort.Pick(settings.DashboardPort) : null;
        await using var session = await CampaignSessions.Open(settings, settings.Id, ctrlC.Token, settings.Device, settings.Slots, dashboard);
        await CampaignSessions.Status(session, settings.Id, ctrlC.Token);
        var status = await ClusterCalls.Retry(() => session.Grains.GetGrain<ICampaignGrain>(settings.Id).Resume(), ctrlC.Token);
        if (settings.Cluster is not null)
        {
            Console.WriteLine($"campaign {settings.Id}: {CampaignView.Phase(status.Phase)} — {status.Step}");
            return 0;
        }
        return await CampaignForeground.Run(session, settings.Id, settings.Folder(settings.Id), ctrlC.Token);
    }
}
