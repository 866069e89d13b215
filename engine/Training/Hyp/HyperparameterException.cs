namespace PruneCluster.Engine.Training.Hyp;

/// <summary>A hyperparameter file (or built-in name) that cannot be used; the message is one line naming the file and the key.</summary>
public sealed class HyperparameterException(string message) : Exception(message);
