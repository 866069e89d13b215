namespace PruneCluster.Engine.Evaluation;

/// <summary>A model and a data set cannot be evaluated together; the message is one line naming both and the fix.</summary>
public sealed class EvaluationException(string message) : Exception(message);
