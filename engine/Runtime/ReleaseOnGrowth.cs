namespace PruneCluster.Engine.Runtime;

/// <summary>
/// Hands freed memory back only once the resident set has grown by more than an allowance since the last hand-back.
/// For loops of short units (a fast sensitivity variant takes about 0.5 s): releasing after every unit faults the
/// same pages in again each time (on bccd the whole analysis took 92.7 s instead of 75.4 s), while never releasing
/// lets buffers of changing sizes fragment the heap under <see cref="NativeAllocator.KeepLargeBuffers"/>. A safety
/// net now: when variants still concatenated their 80-class detection levels, coco128 reached 11 GB resident for
/// 3.8 GiB of kept activations; since they decode only the levels they reach, it peaks at 5.3 GB without hand-backs.
/// One per process, owned by <see cref="EngineRuntime"/> (the resident set is the process's).
/// </summary>
public sealed class ReleaseOnGrowth(long allowanceBytes, Func<long> residentBytes, Action release)
{
    private long residentAfterRelease = -1;

    /// <summary>Releases if this is the first check or the allowance is exceeded; returns whether it did.</summary>
    public bool Check()
    {
        if (residentAfterRelease >= 0 && residentBytes() - residentAfterRelease <= allowanceBytes)
            return false;
        release();
        residentAfterRelease = residentBytes();
        return true;
    }
}
