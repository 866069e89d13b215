using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Cluster;

/// <summary>Where a campaign command finds its cluster: <c>--cluster</c>, or the embedded cluster of a campaign folder under <c>--dir</c>.</summary>
public class ClusterSettings : CommandSettings
{
    [CommandOption("--cluster <URL>")]
    [Description("The cluster: redis://host:port of the Redis its silos use. Without it: the embedded cluster of the campaign's folder under --dir")]
    public string? Cluster { get; init; }

    [CommandOption("--cluster-id <ID>")]
    [Description("Orleans cluster id of the silos (their --cluster-id)")]
    [DefaultValue("prunecluster")]
    public string ClusterId { get; init; } = "prunecluster";

    [CommandOption("--service-id <ID>")]
    [Description("Orleans service id of the silos (their --service-id)")]
    [DefaultValue("prunecluster")]
    public string ServiceId { get; init; } = "prunecluster";

    [CommandOption("--dir <DIR>")]
    [Description("Embedded campaigns: the folder holding one sub-folder per campaign (state, artifacts, report)")]
    [DefaultValue("campaigns")]
    public string Dir { get; init; } = "campaigns";

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

    /// <summary>An embedded campaign's folder.</summary>
    public string Folder(string id) => Path.GetFullPath(Path.Combine(Dir, id));
}
