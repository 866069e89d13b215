namespace PruneCluster.Engine.Pruning;

/// <summary>A pruning request that cannot be carried out; the message is one line naming the input and the fix.</summary>
public sealed class PruningException(string message) : Exception(message);
