using PruneCluster.Client.Cli;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Client.Cluster;

/// <summary>
/// An embedded campaign in the foreground (start, resume, demo): progress lines until it ends, then its status, the
/// last iteration's ranked table and the results folder; Ctrl-C stops the process gracefully and the campaign stays
/// resumable.
/// </summary>
public static class CampaignForeground
{
    public static async Task<int> Run(ClusterSession session, string id, string folder, CancellationToken cancellationToken)
    {
        // Said here only, for start, resume and demo alike; a client of another process's cluster has no pages.
        foreach (var line in session.Dashboard?.Lines(id) ?? [])
            Console.Error.WriteLine(line);
        CampaignStatus status;
        try
        {
            status = await CampaignFollower.Follow(session, id, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"stopped; the campaign is saved in {folder}: prunecluster campaign resume {id} continues it");
            return CtrlC.ExitCode;
        }
        Console.WriteLine(CampaignView.Render(status));
        if (status.Iterations.LastOrDefault() is { } last
            && await ClusterCalls.Retry(() => session.Grains.GetGrain<ICampaignGrain>(id).GetTable(last.Number), CancellationToken.None) is { } table)
            Console.WriteLine(LayerTableView.Text(table, limit: 15));
        if (status.Phase == CampaignPhase.Failed)
            return UserErrors.Failure;
        var report = await CampaignResults.Write(session, id, new ArtifactStore(EmbeddedCluster.Artifacts(folder)), Path.Combine(folder, "results"), CancellationToken.None);
        Console.WriteLine($"report: {report}");
        return 0;
    }
}
