using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Graph;

public class ConnectivityGraphTests
{
    [Theory]
    [InlineData("yolov7", "yolov7_pruning_cfg.yaml")]
    [InlineData("yolov7-tiny", "yolov7-tiny_pruning_cfg.yaml")]
    public void DerivedGraphIsEquivalentToThePapersHandWrittenFile(string cfg, string seedFile)
    {
        var seedPath = SharedData.Reference($"seed_pruning_config/{seedFile}");
        var seed = SeedPruningConfig.Parse(File.ReadAllText(seedPath), seedPath);
        using var model = ModelBuilder.Build(YoloCfg.Resolve(cfg));

        var derived = SeedPruningConfig.From(ConnectivityGraph.Build(model));

        Assert.Equal(seed.PrunableLayers, derived.PrunableLayers);
        Assert.Equal(seed.Entries.Count, derived.Entries.Count);
        for (var i = 0; i < seed.Entries.Count; i++)
        {
            Assert.True(Uses(seed.Entries[i]).SequenceEqual(Uses(derived.Entries[i])),
                $"layer {i}: seed consumers {Describe(seed.Entries[i])}, derived {Describe(derived.Entries[i])}");
            Assert.Equal(seed.Entries[i].InputSliceSizes, derived.Entries[i].InputSliceSizes);
        }
    }

    [Theory]
    [InlineData("yolov7", "yolov7_pruning_cfg.yaml")]
    [InlineData("yolov7-tiny", "yolov7-tiny_pruning_cfg.yaml")]
    public void ShippedPruningConfigFilesAreTheGeneratedOnes(string cfg, string file)
    {
        using var model = ModelBuilder.Build(YoloCfg.Resolve(cfg));
        var generated = SeedPruningConfig.From(ConnectivityGraph.Build(model)).ToYaml(cfg);
        Assert.Equal(generated, File.ReadAllText(RepoFiles.Path("pruning_config", file)));
    }

    [Fact]
    public void SppcspcCv4IsReadFourTimesByCv5()
    {
        using var model = ModelBuilder.Build(YoloCfg.Resolve("yolov7"));
        var graph = ConnectivityGraph.Build(model);
        var cv4 = model.ConvLayers.Single(l => l.Path == "model.51.cv4").Index;
        var cv5 = model.ConvLayers.Single(l => l.Path == "model.51.cv5").Index;

        Assert.Equal([0, 1, 2, 3], graph.ConsumersOf(cv4).Where(c => c.Consumer == cv5).Select(c => c.Slice));
        Assert.Equal(4 * model.ConvLayers[cv4].Unit.OutChannels, graph.InputSliceSizes(cv5).Sum());
    }

    [Fact]
    public void ResidualAddsOfE6eCoupleTheirProducers()
    {
        using var model = ModelBuilder.Build(YoloCfg.Resolve("yolov7-e6e"));
        var graph = ConnectivityGraph.Build(model);
        Assert.NotEmpty(graph.CoupledGroups);
        foreach (var group in graph.CoupledGroups)
            Assert.Single(group.Select(i => model.ConvLayers[i].Unit.OutChannels).Distinct());
    }

    [Fact]
    public void HeadConvsConsumeButProduceNothing()
    {
        using var model = ModelBuilder.Build(YoloCfg.Resolve("yolov7-tiny"));
        var graph = ConnectivityGraph.Build(model);
        foreach (var head in model.ConvLayers.Where(l => l.IsHead))
        {
            Assert.Empty(graph.ConsumersOf(head.Index));
            Assert.Single(graph.InputSlices(head.Index));
        }
    }

    private static IEnumerable<(int, int)> Uses(SeedPruningConfig.Entry e) =>
        e.Consumers.Zip(e.Slices).Order();

    private static string Describe(SeedPruningConfig.Entry e) => $"[{string.Join(",", e.Consumers)}] [{string.Join(",", e.Slices)}]";
}
