using System.ComponentModel;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Cluster;

/// <summary>Settings of the commands that act on one campaign.</summary>
public class CampaignIdSettings : ClusterSettings
{
    public const string IdHelp = "The campaign id (campaign start prints it; campaign list shows them)";

    [CommandArgument(0, "<ID>")]
    [Description(IdHelp)]
    public string Id { get; init; } = "";
}
