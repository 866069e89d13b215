using PruneCluster.Grains.Contracts;

namespace PruneCluster.Client.Cluster;

/// <summary>
/// Follows a campaign in the foreground: a line on stderr whenever its step changes (progress within a step at most
/// every 10 s), until it ends or the user presses Ctrl-C.
/// </summary>
public static class CampaignFollower
{
    public static async Task<CampaignStatus> Follow(ClusterSession session, string id, CancellationToken cancellationToken)
    {
        var grain = session.Grains.GetGrain<ICampaignGrain>(id);
        string? last = null;
        var lastPhase = CampaignPhase.NotStarted;
        var lastPrinted = DateTime.MinValue;
        while (true)
        {
            var status = await ClusterCalls.Retry(grain.GetStatus, cancellationToken);
            if (status.Step != last && (status.Phase != lastPhase || DateTime.UtcNow - lastPrinted > TimeSpan.FromSeconds(10) || status.Ended))
            {
                Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {CampaignView.Phase(status.Phase)}: {status.Step}");
                (last, lastPhase, lastPrinted) = (status.Step, status.Phase, DateTime.UtcNow);
            }
            if (status.Ended)
                return status;
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }
}
