namespace PruneCluster.Engine.Evaluation;

/// <summary>Where an evaluation stands after a batch: counts so far and the wall time they took.</summary>
public sealed record EvaluationProgress(int BatchesDone, int BatchCount, int ImagesDone, int ImageCount, TimeSpan Elapsed)
{
    /// <summary>Estimated time left at the pace so far (by images, since the last rect batch is usually smaller).</summary>
    public TimeSpan? Remaining => ImagesDone == 0 ? null : Elapsed * ((double)(ImageCount - ImagesDone) / ImagesDone);
}
