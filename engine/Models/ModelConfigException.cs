namespace PruneCluster.Engine.Models;

/// <summary>A model cfg (or the architecture stored in a checkpoint) that cannot be built; the message is one line.</summary>
public sealed class ModelConfigException(string message) : Exception(message);
