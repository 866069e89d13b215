namespace PruneCluster.Client.Cluster;

/// <summary>A cluster the client cannot use (unreachable, unknown campaign, refused input): one line, exit code 2.</summary>
public sealed class ClusterException(string message, Exception? inner = null) : Exception(message, inner);
