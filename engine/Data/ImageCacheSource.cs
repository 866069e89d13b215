namespace PruneCluster.Engine.Data;

/// <summary>Where a <see cref="ValidationSet"/>'s letterboxed pixels came from.</summary>
public enum ImageCacheSource
{
    /// <summary>Decoded, resized and letterboxed during this load.</summary>
    Decoded,

    /// <summary>Shared with another live set of the same images and settings (no work done).</summary>
    Memory,

    /// <summary>Read from the on-disk cache file.</summary>
    Disk,
}
