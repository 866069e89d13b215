using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Checkpoints;

/// <summary>
/// <see cref="ModelFile.Layout"/> tells YOLOv7's layout from this tool's state_dict, and <see cref="ModelFile.SaveAs"/>
/// (train's and the campaigns' <c>format</c>) turns one into the other keeping weights, pruning history and class
/// names, and copies a file that already has the layout byte for byte.
/// </summary>
public sealed class ModelFileSaveAsTests
{
    private static string PrunedYolov7(TempFolder folder)
    {
        using var loaded = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        var plan = Pruner.Prune(ConnectivityGraph.Build(loaded.Model), [new LayerRate(3, 0.5)], new FilterImportance(Criterion.SmallestL2));
        var path = folder.File("pruned.pt");
        ModelFile.Save(path, loaded.Model, loaded.History.Then(plan), loaded.ClassNames);
        return path;
    }

    private static void AssertSameModel(string expectedPath, string actualPath)
    {
        using var expected = ModelFile.Load(expectedPath);
        using var actual = ModelFile.Load(actualPath);
        Assert.Equal(expected.ClassNames, actual.ClassNames);
        Assert.Equal(expected.History.Steps.Select(s => (s.Layer, s.ChannelsBefore, string.Join(",", s.Kept))),
            actual.History.Steps.Select(s => (s.Layer, s.ChannelsBefore, string.Join(",", s.Kept))));
        var a = StateDict.Ordered(expected.Model).ToList();
        var b = StateDict.Ordered(actual.Model).ToList();
        Assert.Equal(a.Select(kv => kv.Key), b.Select(kv => kv.Key));
        for (var i = 0; i < a.Count; i++)
            Assert.True(a[i].Value.allclose(b[i].Value, rtol: 0, atol: 0), a[i].Key);
    }

    [Fact]
    public void AYolov7FileBecomesAStateDictWithTheSameModelAndBack()
    {
        using var folder = new TempFolder();
        var yolov7 = PrunedYolov7(folder);
        Assert.Equal(ModelFileFormat.Yolov7, ModelFile.Layout(yolov7));

        var flat = folder.File("flat.pt");
        ModelFile.SaveAs(yolov7, flat, ModelFileFormat.StateDict);
        Assert.Equal(ModelFileFormat.StateDict, ModelFile.Layout(flat));
        using (var contents = CheckpointReader.Read(flat))
            Assert.Equal((CheckpointFormat.PruneCluster, (string?)null), (contents.Format, contents.ModelClass));
        AssertSameModel(yolov7, flat);

        var back = folder.File("back.pt");
        ModelFile.SaveAs(flat, back, ModelFileFormat.Yolov7);
        Assert.Equal(ModelFileFormat.Yolov7, ModelFile.Layout(back));
        AssertSameModel(yolov7, back);
    }

    [Fact]
    public void AFileAlreadyInTheLayoutIsCopiedAsItIsAndConvertedInPlaceOtherwise()
    {
        using var folder = new TempFolder();
        var yolov7 = PrunedYolov7(folder);
        var copy = folder.File("copy.pt");
        ModelFile.SaveAs(yolov7, copy, ModelFileFormat.Yolov7);
        Assert.Equal(File.ReadAllBytes(yolov7), File.ReadAllBytes(copy));

        ModelFile.SaveAs(copy, copy, ModelFileFormat.StateDict);
        Assert.Equal(ModelFileFormat.StateDict, ModelFile.Layout(copy));
        AssertSameModel(yolov7, copy);
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
    }
}
