using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Runtime;

/// <summary>
/// What the engine shares across the work of one process, as one object its host creates and injects (the engine keeps
/// no process-wide state of its own): the decoded-image cache, and the hand-back of freed native memory under the
/// allocator policy (<see cref="NativeAllocator"/>) with its whole-process growth check (<see cref="ReleaseOnGrowth"/>).
/// The CLI makes one per process; a silo makes one and shares it between its evaluation slots, since the resident set
/// and glibc's heap are the process's. Thread-safe.
/// </summary>
public sealed class EngineRuntime
{
    /// <summary>How much the resident set may grow between hand-backs of freed memory (see <see cref="ReleaseOnGrowth"/>).</summary>
    public const long DefaultReleaseAllowanceBytes = 1L << 30;

    private readonly Action releaseFreeMemory;
    private readonly ReleaseOnGrowth growth;
    private readonly Lock gate = new();

    public EngineRuntime(DecodedImageCache images, Action releaseFreeMemory, Func<long> residentBytes, long releaseAllowanceBytes = DefaultReleaseAllowanceBytes)
    {
        Images = images;
        this.releaseFreeMemory = releaseFreeMemory;
        growth = new ReleaseOnGrowth(releaseAllowanceBytes, residentBytes, releaseFreeMemory);
    }

    /// <summary>A runtime over this process: its resident set and glibc's <c>malloc_trim</c>, with a fresh image cache.</summary>
    public static EngineRuntime ForProcess() =>
        new(new DecodedImageCache(), NativeAllocator.ReleaseFreeMemory, () => Environment.WorkingSet);

    /// <summary>Decoded validation sets shared by every set this runtime loads.</summary>
    public DecodedImageCache Images { get; }

    /// <summary>Options that load a set through <see cref="Images"/>.</summary>
    public ValidationSetOptions SharedSetOptions => new() { SharedImages = Images };

    /// <summary>Gives freed native memory back now (after a unit of work that allocated much, e.g. a naive evaluation).</summary>
    public void ReleaseFreeMemory()
    {
        lock (gate)
            releaseFreeMemory();
    }

    /// <summary>Gives freed memory back if the process grew past the allowance since the last hand-back; returns whether it did.</summary>
    public bool ReleaseOnGrowth()
    {
        lock (gate)
            return growth.Check();
    }
}
