using PruneCluster.Engine.Data;
using PruneCluster.Engine.Runtime;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Runtime;

public sealed class EngineRuntimeTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("prunecluster-rt-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Decoded_sets_are_shared_within_one_runtime_and_never_across_runtimes()
    {
        var data = DataYaml.Load(BccdSlice.Write(folder, 3));
        var (one, other) = (EngineRuntime.ForProcess(), EngineRuntime.ForProcess());

        using var first = ValidationSet.Load(data, "val", 160, 4, options: one.SharedSetOptions);
        using var again = ValidationSet.Load(data, "val", 160, 4, options: one.SharedSetOptions);
        using var elsewhere = ValidationSet.Load(data, "val", 160, 4, options: other.SharedSetOptions);
        using var unshared = ValidationSet.Load(data, "val", 160, 4);

        Assert.Equal(ImageCacheSource.Decoded, first.Source);
        Assert.Equal(ImageCacheSource.Memory, again.Source);
        Assert.Equal(ImageCacheSource.Decoded, elsewhere.Source);
        Assert.Equal(ImageCacheSource.Decoded, unshared.Source);
    }

    [Fact]
    public void The_memory_check_is_one_per_runtime_whatever_the_threads()
    {
        long resident = 100;
        var releases = 0;
        var runtime = new EngineRuntime(new DecodedImageCache(), () => { Interlocked.Increment(ref releases); resident = 100; }, () => resident, releaseAllowanceBytes: 50);

        Assert.True(runtime.ReleaseOnGrowth());
        resident = 140;
        Assert.Equal(0, Enumerable.Range(0, 8).AsParallel().Count(_ => runtime.ReleaseOnGrowth()));
        resident = 200;
        Assert.Equal(1, Enumerable.Range(0, 8).AsParallel().Count(_ => runtime.ReleaseOnGrowth()));
        runtime.ReleaseFreeMemory();
        Assert.Equal(3, releases);
    }
}
