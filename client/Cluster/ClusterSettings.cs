using System.ComponentModel;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Cluster;

/// <summary>Where a campaign command finds its cluster: <c>--cluster</c>, or the embedded cluster of a campaign folder under <c>--dir</c>.</summary>
public class ClusterSettings : ConnectionSettings
{
    [CommandOption("--dir <DIR>")]
    [Description("Without --cluster: the folder holding one sub-folder per embedded campaign (state, artifacts, report), whose embedded cluster is used")]
    [DefaultValue("campaigns")]
    public string Dir { get; init; } = "campaigns";

    /// <summary>An embedded campaign's folder.</summary>
    public string Folder(string id) => Path.GetFullPath(Path.Combine(Dir, id));
}
