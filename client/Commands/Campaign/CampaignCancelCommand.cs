using PruneCluster.Client.Cluster;
using PruneCluster.Grains.Contracts;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands.Campaign;

/// <summary><c>prunecluster campaign cancel ID</c>: stops the campaign at its next step and cancels its running job; resumable.</summary>
public sealed class CampaignCancelCommand : AsyncCommand<CampaignIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CampaignIdSettings settings, CancellationToken cancellationToken)
    {
        await using var session = await CampaignSessions.Open(settings, settings.Id, cancellationToken);
        await CampaignSessions.Status(session, settings.Id, cancellationToken);
        var status = await ClusterCalls.Retry(() => session.Grains.GetGrain<ICampaignGrain>(settings.Id).Cancel(), cancellationToken);
        Console.WriteLine($"campaign {settings.Id}: {CampaignView.Phase(status.Phase)} — {status.Step}");
        return 0;
    }
}
