using System.ComponentModel;
using PruneCluster.Client.Cli;
using PruneCluster.Client.Cluster;
using PruneCluster.Grains.Contracts;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands.Campaign;

/// <summary><c>prunecluster campaign list</c>: the cluster's campaigns (or the embedded ones under --dir) with their phase.</summary>
public sealed class CampaignListCommand : AsyncCommand<CampaignListCommand.Settings>
{
    public sealed class Settings : ClusterSettings
    {
        [CommandOption("--json")]
        [Description("One JSON document")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var statuses = new List<CampaignStatus>();
        if (settings.Cluster is not null)
        {
            await using var session = await CampaignSessions.Open(settings, null, cancellationToken);
            foreach (var entry in await ClusterCalls.Retry(session.Grains.GetGrain<ICampaignDirectoryGrain>(0).List, cancellationToken))
                statuses.Add(await CampaignSessions.Status(session, entry.Id, cancellationToken));
        }
        else if (Directory.Exists(settings.Dir))
        {
            // Each embedded campaign has its own cluster in its folder.
            foreach (var folder in Directory.GetDirectories(settings.Dir).Where(f => Directory.Exists(Path.Combine(f, "state"))).Order(StringComparer.Ordinal))
            {
                var id = Path.GetFileName(folder);
                await using var session = await CampaignSessions.Open(settings, id, cancellationToken);
                var status = await ClusterCalls.Retry(() => session.Grains.GetGrain<ICampaignGrain>(id).GetStatus(), cancellationToken);
                if (status.Phase != CampaignPhase.NotStarted)
                    statuses.Add(status);
            }
        }
        if (settings.Json)
            JsonOutput.Print(statuses.Select(s => new { id = s.Id, name = s.Name, phase = CampaignView.Phase(s.Phase), step = s.Step, created = s.Created }));
        else if (statuses.Count == 0)
            Console.WriteLine(settings.Cluster is null ? $"no campaigns in {Path.GetFullPath(settings.Dir)}" : "no campaigns in the cluster");
        else
            foreach (var s in statuses.OrderBy(s => s.Created))
                Console.WriteLine($"{s.Id,-40} {CampaignView.Phase(s.Phase),-12} {s.Created:yyyy-MM-dd HH:mm}  {s.Step}");
        return 0;
    }
}
