namespace PruneCluster.Grains.Evaluation;

/// <summary>
/// This silo cannot evaluate the task as specified, and trying again here will not help: its copy of the data differs
/// from the campaign's, the data or the model artifact is missing or damaged. The message is one line naming the silo,
/// the path or digest and the fix. The slot hands the lease back at once and takes no more work from that iteration,
/// so silos that can do the work do it.
/// </summary>
public sealed class EvaluationRefusedException(string message, Exception? inner = null) : Exception(message, inner);
