using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Tests.Support;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Pruning;

/// <summary>
/// Pruning a fused model (conv biases, re-parameterised RepConv, implicit layers folded into the head) must give the
/// same network as pruning first and fusing afterwards — something the paper's code cannot do at all.
/// </summary>
public class FusedPruningTests
{
    [Theory]
    [InlineData("yolov7-golden.pt", "[(0, 0.5), (30, 0.25), (40, 0.5), (74, 0.5), (86, 0.5), (87, 0.25), (88, 0.75)]")]
    [InlineData("yolov7-tiny-golden.pt", "[(3, 0.5), (25, 0.75), (47, 0.5), (52, 0.5), (53, 0.5), (54, 0.25)]")]
    public void PruningAFusedModelEqualsFusingAPrunedModel(string checkpoint, string pruningParams)
    {
        using var loaded = ModelFile.Load(SharedData.Golden(checkpoint));
        using var fusedFirst = ModelBuilder.Copy(loaded.Model).Fuse();
        var prunedFirst = loaded.Model;
        var rates = PruningParams.Parse(pruningParams, prunedFirst.PrunableLayers.Count);
        var plan = Pruner.Prune(ConnectivityGraph.Build(prunedFirst), rates, new FilterImportance(Criterion.SmallestL2));
        prunedFirst.Fuse();

        Pruner.Apply(ConnectivityGraph.Build(fusedFirst), plan);

        manual_seed(5);
        using var input = rand(1, 3, 64, 64);
        using var _ = no_grad();
        using var expected = prunedFirst.forward(input);
        using var actual = fusedFirst.forward(input);
        Golden.AssertDetectionsClose(expected, actual);
        Assert.Equal(prunedFirst.ParameterCount, fusedFirst.ParameterCount);
    }

    [Theory]
    [InlineData("deploy/yolov7-tiny")]
    [InlineData("deploy/yolov7")]
    public void DeployArchitecturesPruneEveryLayerAndStillRun(string cfg)
    {
        using var model = ModelBuilder.Build(YoloCfg.Resolve(cfg));
        model.eval();
        var plan = Pruner.Prune(ConnectivityGraph.Build(model), PruningParams.Parse("0.25", model.PrunableLayers.Count), new FilterImportance(Criterion.SmallestL1));

        Assert.Equal(model.PrunableLayers.Count, plan.Steps.Count);
        using var _ = no_grad();
        using var y = model.forward(rand(1, 3, 64, 64));
        Assert.Equal(model.Nc + 5, y.shape[2]);
    }

    [Fact]
    public void ReplayingAPlanOnTheOriginalCheckpointGivesTheSameModel()
    {
        using var a = ModelFile.Load(SharedData.Golden("yolov7-tiny-golden.pt"));
        using var b = ModelFile.Load(SharedData.Golden("yolov7-tiny-golden.pt"));
        var plan = Pruner.Prune(ConnectivityGraph.Build(a.Model), PruningParams.Parse("[(5, 0.5), (21, 0.25), (40, 0.75)]", 55), new FilterImportance(Criterion.Random, 7));

        Pruner.Apply(ConnectivityGraph.Build(b.Model), plan);

        var left = StateDict.Ordered(a.Model);
        var right = StateDict.Ordered(b.Model).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.All(left, kv => Assert.True(kv.Value.shape.SequenceEqual(right[kv.Key].shape) && kv.Value.allclose(right[kv.Key], rtol: 0, atol: 0), kv.Key));
    }
}
