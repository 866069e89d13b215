using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Pages = PruneCluster.Client.Cluster.DashboardPort;

namespace PruneCluster.Client.Cluster;

/// <summary>Settings of the campaign commands that may host the embedded cluster themselves (start, resume): its device, slots and pages.</summary>
public class EmbeddedClusterSettings : ClusterSettings
{
    [CommandOption("--device <DEVICE>")]
    [Description("Embedded cluster: the device its slots run on (cpu or cuda:N)")]
    [DefaultValue("cpu")]
    public string Device { get; init; } = "cpu";

    [CommandOption("--slots <N>")]
    [Description("Embedded cluster: evaluation slots (jobs and variants in parallel)")]
    [DefaultValue(1)]
    public int Slots { get; init; } = 1;

    [CommandOption("--dashboard-port <PORT>")]
    [Description("Embedded cluster: the " + Pages.Help)]
    [DefaultValue(Pages.Default)]
    public int DashboardPort { get; init; } = Pages.Default;

    public override ValidationResult Validate() =>
        Pages.Check(DashboardPort) is { } bad ? ValidationResult.Error(bad)
        : Slots is < 1 or > 64 ? ValidationResult.Error($"--slots {Slots}: use 1 to 64")
        : base.Validate();
}
