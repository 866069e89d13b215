using System.ComponentModel;
using PruneCluster.Client.Cli;
using PruneCluster.Client.Cluster;
using PruneCluster.Grains.Contracts;
using PruneCluster.Silo;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands;

/// <summary>
/// <c>prunecluster cluster status --cluster redis://HOST:PORT [--json]</c>: the cluster's active silos, each silo's
/// devices and evaluation slots (idle, or what they evaluate and for how long), the open iterations on the work board
/// (waiting / leased / done) and the campaign jobs waiting or running.
/// </summary>
public sealed class ClusterStatusCommand : AsyncCommand<ClusterStatusCommand.Settings>
{
    public sealed class Settings : ConnectionSettings
    {
        [CommandOption("--json")]
        [Description("One JSON document: the ClusterStatus record as /api/cluster serves it")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            Cluster is null
                ? ValidationResult.Error("cluster status needs --cluster redis://host:port (the Redis the silos use); an embedded campaign's one-silo cluster shows itself on the dashboard URL that campaign start prints")
                : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var session = await settings.Connect(cancellationToken);
        var status = await ClusterCalls.Retry(session.Grains.GetGrain<IClusterStatusGrain>(0).GetStatus, cancellationToken);
        if (settings.Json)
            JsonOutput.Print(status, CampaignEndpoints.Json);
        else
            Console.WriteLine(ClusterStatusView.Render(status, session.Description));
        return 0;
    }
}
