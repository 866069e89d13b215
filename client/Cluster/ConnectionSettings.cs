using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Cluster;

/// <summary>The options that name a cluster of silos on Redis: <c>--cluster</c>, <c>--cluster-id</c>, <c>--service-id</c>.</summary>
public class ConnectionSettings : CommandSettings
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

    public override ValidationResult Validate()
    {
        if (Cluster is { } target)
        {
            try
            {
                ClusterSession.RedisEndpoint(target);
            }
            catch (ClusterException e)
            {
                return ValidationResult.Error(e.Message);
            }
        }
        return ValidationResult.Success();
    }

    /// <summary>Connects to the cluster <c>--cluster</c> names (which must be given).</summary>
    public Task<ClusterSession> Connect(CancellationToken cancellationToken) =>
        ClusterSession.ConnectRedis(Cluster ?? throw new InvalidOperationException("no --cluster"), ClusterId, ServiceId, cancellationToken);
}
