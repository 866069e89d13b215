using System.ComponentModel;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Cluster;

/// <summary>Settings of the commands that act on one campaign.</summary>
public class CampaignIdSettings : ClusterSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("The campaign id (campaign start prints it; campaign list shows them)")]
    public string Id { get; init; } = "";
}
