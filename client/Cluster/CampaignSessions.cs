using PruneCluster.Grains.Contracts;

namespace PruneCluster.Client.Cluster;

/// <summary>Opens the cluster a campaign command talks to and finds the campaign in it.</summary>
public static class CampaignSessions
{
    /// <summary>The cluster of <paramref name="settings"/>; for an embedded campaign, its folder's (hosted here with <paramref name="slots"/> slots if no process runs it).</summary>
    public static Task<ClusterSession> Open(ClusterSettings settings, string? id, CancellationToken cancellationToken, string device = "cpu", int slots = 0,
        DashboardPort? dashboard = null)
    {
        if (settings.Cluster is not null)
            return settings.Connect(cancellationToken);
        var folder = id is null ? null : settings.Folder(id);
        if (folder is null || !Directory.Exists(Path.Combine(folder, "state")))
            throw new ClusterException($"campaign '{id}' does not exist in {Path.GetFullPath(settings.Dir)} (no embedded campaign folder {folder}); campaign list shows the campaigns there, or pass --cluster redis://host:port");
        return EmbeddedCluster.Open(folder, null, device, slots, cancellationToken, dashboard);
    }

    /// <summary>The campaign's status; an id the cluster never saw is one line (exit code 2).</summary>
    public static async Task<CampaignStatus> Status(ClusterSession session, string id, CancellationToken cancellationToken)
    {
        var status = await ClusterCalls.Retry(() => session.Grains.GetGrain<ICampaignGrain>(id).GetStatus(), cancellationToken);
        return status.Phase == CampaignPhase.NotStarted
            ? throw new ClusterException($"campaign '{id}' does not exist in {session.Description}; campaign list shows the campaigns there")
            : status;
    }
}
