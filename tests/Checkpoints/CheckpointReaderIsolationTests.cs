using PruneCluster.Engine.Checkpoints;
using PruneCluster.Tests.Support;
using Razorvine.Pickle;
using Xunit;

namespace PruneCluster.Tests.Checkpoints;

[CollectionDefinition(nameof(RazorvineGlobalState), DisableParallelization = true)]
public sealed class RazorvineGlobalState;

/// <summary>Razorvine's constructor table is process-wide; these tests change it, so they run alone.</summary>
[Collection(nameof(RazorvineGlobalState))]
public sealed class CheckpointReaderIsolationTests
{
    private sealed class ForeignOrderedDictConstructor : IObjectConstructor
    {
        public object construct(object[] args) => new System.Collections.Hashtable();
    }

    [Fact]
    public void Reader_still_works_after_another_component_registered_its_own_OrderedDict_constructor()
    {
        var path = SharedData.Golden("yolov7-tiny-golden.pt");
        List<string> before;
        using (var first = CheckpointReader.Read(path))
            before = first.StateDict.Select(e => e.Key).ToList();

        Unpickler.registerConstructor("collections", "OrderedDict", new ForeignOrderedDictConstructor());
        using var second = CheckpointReader.Read(path);

        Assert.Equal(before, second.StateDict.Select(e => e.Key));
    }

    [Fact]
    public void Concurrent_reads_give_the_same_state_dict_as_a_sequential_read()
    {
        var path = SharedData.Golden("yolov7-tiny_pruned_all_layers_50_l1.pt");
        List<string> expected;
        using (var sequential = CheckpointReader.Read(path))
            expected = sequential.StateDict.Select(e => $"{e.Key}:{string.Join('x', e.Value.shape)}").ToList();

        var results = new List<string>[4];
        Parallel.For(0, results.Length, i =>
        {
            using var contents = CheckpointReader.Read(path);
            results[i] = contents.StateDict.Select(e => $"{e.Key}:{string.Join('x', e.Value.shape)}").ToList();
        });

        Assert.All(results, result => Assert.Equal(expected, result));
    }
}
