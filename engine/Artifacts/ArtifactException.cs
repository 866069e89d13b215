namespace PruneCluster.Engine.Artifacts;

/// <summary>
/// An artifact is missing from the store, corrupt, or named by something that is not a digest. The message is one
/// line naming the digest, the store and the fix, so a CLI or a grain can pass it on as is.
/// </summary>
public sealed class ArtifactException(string digest, string store, string message) : Exception(message)
{
    /// <summary>The digest asked for (as given).</summary>
    public string Digest { get; } = digest;

    /// <summary>The store's root folder.</summary>
    public string Store { get; } = store;
}
