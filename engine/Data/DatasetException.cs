namespace PruneCluster.Engine.Data;

/// <summary>
/// A dataset input (data yaml, image folder, list file, annotations file, cache folder) cannot be used.
/// The message is one line that names the input and says how to fix it.
/// </summary>
public sealed class DatasetException(string message, Exception? inner = null) : Exception(message, inner);
