using System.Runtime.InteropServices;

namespace PruneCluster.Engine.Runtime;

/// <summary>
/// Keeps libtorch's large CPU buffers in the process instead of returning them to the kernel after every use.
/// </summary>
/// <remarks>
/// glibc serves allocations above its mmap threshold (at most 32 MiB) with a fresh <c>mmap</c> and unmaps them on
/// free. A YOLO activation at batch 32 is hundreds of MiB, so every layer of every batch paid for new zeroed pages:
/// on the evaluation loop that was about half the wall time (sys time ≈ user time). With mmap disabled, one arena
/// for all threads (other arenas would still fall back to mmap for blocks above 64 MiB) and no trimming, freed
/// buffers are reused (PyTorch's CPU performance guide recommends a caching allocator, jemalloc or TCMalloc, for the
/// same reason; neither ships with .NET). The price is that freed memory stays resident until
/// <see cref="ReleaseFreeMemory"/>. It changes no result. No-op outside glibc/Linux.
/// </remarks>
public static class NativeAllocator
{
    private const int TrimThreshold = -1;   // M_TRIM_THRESHOLD
    private const int MmapMax = -4;         // M_MMAP_MAX
    private const int ArenaMax = -8;        // M_ARENA_MAX

    private static bool kept;

    /// <summary>Applies the settings once, early (before worker threads allocate); returns whether glibc took them.</summary>
    public static bool KeepLargeBuffers()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("PRUNECLUSTER_DEFAULT_MALLOC") == "1")
            return false;
        try
        {
            kept = mallopt(ArenaMax, 1) == 1 & mallopt(MmapMax, 0) == 1 & mallopt(TrimThreshold, int.MaxValue) == 1;
            return kept;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // musl or another C library: keep its defaults
        }
    }

    /// <summary>
    /// Gives the pages of freed buffers back to the kernel (glibc <c>malloc_trim</c>, which also releases free pages
    /// inside the heap). With <see cref="KeepLargeBuffers"/> nothing is ever returned otherwise, and buffers of
    /// changing sizes fragment the heap, so long runs call this between units of work (a naive evaluation, or via
    /// <see cref="ReleaseOnGrowth"/> between fast sensitivity variants or groups of them): the next unit faults its pages in once instead
    /// of on every layer. No-op outside glibc/Linux.
    /// </summary>
    public static void ReleaseFreeMemory()
    {
        if (!kept)
            return;
        try
        {
            malloc_trim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);
}
