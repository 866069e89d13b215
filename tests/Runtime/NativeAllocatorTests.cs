using PruneCluster.Engine.Runtime;

namespace PruneCluster.Tests.Runtime;

/// <summary>The allocator settings the CLI applies must reach glibc (mallopt accepts them) on the Linux hosts we run on.</summary>
public sealed class NativeAllocatorTests
{
    [Fact]
    public void GlibcAcceptsTheSettingsAndTrimsWithoutError()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("PRUNECLUSTER_DEFAULT_MALLOC") == "1")
            return; // the settings are documented as a no-op there

        Assert.True(NativeAllocator.KeepLargeBuffers(), "mallopt refused M_ARENA_MAX, M_MMAP_MAX or M_TRIM_THRESHOLD");
        NativeAllocator.ReleaseFreeMemory();
    }
}
