namespace PruneCluster.Silo;

/// <summary>Bad silo command line: the message is the one line the user sees (exit code 2).</summary>
public sealed class SiloOptionException(string message) : Exception(message);
