namespace PruneCluster.Engine.Campaign;

/// <summary>A campaign spec that cannot be used; the message is one line naming the file, line, key and the fix.</summary>
public sealed class CampaignSpecException(string message, Exception? inner = null) : Exception(message, inner);
