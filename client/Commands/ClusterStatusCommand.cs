using System.ComponentModel;
using PruneCluster.Client.Cli;
using PruneCluster.Client.Cluster;
using PruneCluster.Grains.Contracts;
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
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--cluster <URL>")]
        [Description("The cluster: redis://host:port of the Redis its silos use (their --redis)")]
        public string? Cluster { get; init; }

        [CommandOption("--cluster-id <ID>")]
        [Description("Orleans cluster id of the silos (their --cluster-id)")]
        [DefaultValue("prunecluster")]
        public string ClusterId { get; init; } = "prunecluster";

        [CommandOption("--service-id <ID>")]
        [Description("Orleans service id of the silos (their --service-id)")]
        [DefaultValue("prunecluster")]
        public string ServiceId { get; init; } = "prunecluster";

        [CommandOption("--json")]
        [Description("One JSON document (durations in seconds, times in UTC)")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Cluster is null)
                return ValidationResult.Error("cluster status needs --cluster redis://host:port (the Redis the silos use); an embedded campaign's one-silo cluster shows itself on the dashboard URL that campaign start prints");
            try
            {
                ClusterSession.RedisEndpoint(Cluster);
            }
            catch (ClusterException e)
            {
                return ValidationResult.Error(e.Message);
            }
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var session = await ClusterSession.ConnectRedis(settings.Cluster!, settings.ClusterId, settings.ServiceId, cancellationToken);
        var status = await ClusterCalls.Retry(session.Grains.GetGrain<IClusterStatusGrain>(0).GetStatus, cancellationToken);
        if (settings.Json)
            JsonOutput.Print(ClusterStatusView.Json(status));
        else
            Console.WriteLine(ClusterStatusView.Render(status, session.Description));
        return 0;
    }
}
