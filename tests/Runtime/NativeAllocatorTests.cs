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

    [Fact]
    public void ReleasesFirstThenOnlyWhenResidentMemoryGrewPastTheAllowance()
    {
        // Resident bytes as a release would leave them: each release brings the set back to 100.
        long resident = 500;
        var releases = 0;
        var policy = new ReleaseOnGrowth(50, () => resident, () => { releases++; resident = 100; });

        var results = new List<bool> { policy.Check() };
        foreach (var next in new long[] { 120, 150, 151, 140 })
        {
            resident = next;
            results.Add(policy.Check());
        }

        Assert.Equal([true, false, false, true, false], results);
        Assert.Equal(2, releases);
    }
}
