namespace PruneCluster.Engine.Training;

/// <summary>
/// The ETA of a run: remaining batches × the mean batch time so far, plus remaining validations × the last
/// validation's time (left out until one has run).
/// </summary>
internal sealed class RunClock(int epochs, int batchesPerEpoch)
{
    private TimeSpan training;
    private long batches;
    private TimeSpan? validation;

    public void BatchDone(TimeSpan took)
    {
        batches++;
        training += took;
    }

    public void ValidationDone(TimeSpan took) => validation = took;

    /// <param name="epochsDone">Epochs of this run finished before the current one.</param>
    /// <param name="batchesDone">Batches done in the current epoch.</param>
    public TimeSpan? Remaining(int epochsDone, int batchesDone)
    {
        if (batches == 0)
            return null;
        var left = (long)(epochs - epochsDone) * batchesPerEpoch - batchesDone;
        return training / batches * Math.Max(left, 0) + (validation ?? TimeSpan.Zero) * (epochs - epochsDone);
    }
}
