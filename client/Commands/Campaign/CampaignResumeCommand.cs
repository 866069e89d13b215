using System.ComponentModel;
using PruneCluster.Client.Cluster;
using PruneCluster.Grains.Contracts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands.Campaign;

/// <summary>
/// <c>prunecluster campaign resume ID</c>: continues a cancelled, failed or interrupted campaign where it was. An
/// embedded campaign runs in the foreground again, as after start.
/// </summary>
public sealed class CampaignResumeCommand : AsyncCommand<CampaignResumeCommand.Settings>
{
    public sealed class Settings : CampaignIdSettings
    {
        [CommandOption("--device <DEVICE>")]
        [Description("Embedded cluster: the device its slots run on (cpu or cuda:N)")]
        [DefaultValue("cpu")]
        public string Device { get; init; } = "cpu";

        [CommandOption("--slots <N>")]
        [Description("Embedded cluster: evaluation slots")]
        [DefaultValue(1)]
        public int Slots { get; init; } = 1;

        [CommandOption("--dashboard-port <PORT>")]
        [Description("Embedded cluster: loopback port of the Orleans dashboard and the campaign pages (a free one if taken; 0: none)")]
        [DefaultValue(DashboardOption.Default)]
        public int DashboardPort { get; init; } = DashboardOption.Default;

        public override ValidationResult Validate() =>
            DashboardOption.Check(DashboardPort) is { } bad ? ValidationResult.Error(bad) : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var ctrlC = new CtrlC(cancellationToken);
        var dashboard = settings.Cluster is null ? DashboardPort.Pick(settings.DashboardPort) : null;
        await using var session = await CampaignSessions.Open(settings, settings.Id, ctrlC.Token, settings.Device, settings.Slots, dashboard);
        await CampaignSessions.Status(session, settings.Id, ctrlC.Token);
        var status = await ClusterCalls.Retry(() => session.Grains.GetGrain<ICampaignGrain>(settings.Id).Resume(), ctrlC.Token);
        if (settings.Cluster is not null)
        {
            Console.WriteLine($"campaign {settings.Id}: {CampaignView.Phase(status.Phase)} — {status.Step}");
            return 0;
        }
        // Another process may host this campaign's cluster (then this one follows it as a client, without pages).
        if (session.Hosted)
            foreach (var line in dashboard?.Lines(settings.Id) ?? [])
                Console.Error.WriteLine(line);
        return await CampaignForeground.Run(session, settings.Id, settings.Folder(settings.Id), ctrlC.Token);
    }
}
