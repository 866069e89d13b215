using PruneCluster.Engine.Data;

namespace PruneCluster.Tests.Support;

/// <summary>
/// The decoded-image cache the test process shares, as the CLI's runtime shares one per process: fixtures that load
/// the same split decode it once.
/// </summary>
internal static class TestImageCache
{
    public static DecodedImageCache Shared { get; } = new();

    public static ValidationSetOptions Options => new() { SharedImages = Shared };
}
