using PruneCluster.Client.Cli;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Client.Cluster;

/// <summary>Starts a checked campaign on a new embedded cluster under <paramref name="dir"/> and runs it in the foreground (start, demo).</summary>
public static class EmbeddedCampaign
{
    /// <param name="dashboardPort">The loopback port of the dashboard and campaign pages (a free one if taken; 0: none).</param>
    public static async Task<int> Run(CheckedCampaignStart inputs, string dir, string? artifacts, string device, int slots, int dashboardPort, CancellationToken cancellationToken)
    {
        var id = inputs.NewId();
        var folder = Path.GetFullPath(Path.Combine(dir, id));
        var store = Path.GetFullPath(artifacts ?? Path.Combine(folder, "artifacts"));
        var start = inputs.Upload(new ArtifactStore(store));
        using var ctrlC = new CtrlC(cancellationToken);
        await using var session = await EmbeddedCluster.Open(folder, store, device, slots, ctrlC.Token, DashboardPort.Pick(dashboardPort));
        await ClusterCalls.Retry(() => session.Grains.GetGrain<ICampaignGrain>(id).Start(start), ctrlC.Token);
        Console.WriteLine(id);
        Console.Error.WriteLine($"campaign {id} runs on the embedded cluster in {folder}; Ctrl-C stops it, prunecluster campaign resume {id} --dir {dir} continues");
        return await CampaignForeground.Run(session, id, folder, ctrlC.Token);
    }
}
