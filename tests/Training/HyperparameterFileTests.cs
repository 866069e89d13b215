using PruneCluster.Engine.Training.Hyp;
using PruneCluster.Tests.Checkpoints;

namespace PruneCluster.Tests.Training;

public class HyperparameterFileTests
{
    [Fact]
    public void TheFourYolov7HypFilesTheFineTuningSetAndTheAdamSetsAreBuiltIn() =>
        Assert.Equal(["finetune.tiny", "scratch.adam.tiny", "scratch.custom", "scratch.p5", "scratch.p6", "scratch.tiny", "synth.adam.tiny"], HyperparameterFile.BuiltInNames);

    [Fact]
    public void TheAdamSetIsScratchTinyWithLr0ATenth() =>
        Assert.Equal(HyperparameterFile.Load("scratch.tiny") with { Lr0 = 0.001 }, HyperparameterFile.Load("scratch.adam.tiny"));

    [Fact]
    public void TheSyntheticShapesSetIsTheAdamSetAtLr0Point003WithoutMosaicMixupOrPasteIn() =>
        Assert.Equal(HyperparameterFile.Load("scratch.adam.tiny") with { Lr0 = 0.003, Mosaic = 0, Mixup = 0, PasteIn = 0 }, HyperparameterFile.Load("synth.adam.tiny"));

    [Fact]
    public void TheFineTuningSetIsScratchTinyWithALowerLrAndAShorterGentlerWarmup()
    {
        var tiny = HyperparameterFile.Load("scratch.tiny");
        var finetune = HyperparameterFile.Load("finetune.tiny");
        Assert.Equal(tiny with { Lr0 = 0.002, Lrf = 0.1, WarmupEpochs = 1.0, WarmupBiasLr = 0.01 }, finetune);
    }

    [Theory]
    // name, lrf, cls, obj, translate, scale, mixup, paste_in: the values that differ between YOLOv7's four files.
    [InlineData("scratch.tiny", 0.01, 0.5, 1.0, 0.1, 0.5, 0.05, 0.05)]
    [InlineData("scratch.p5", 0.1, 0.3, 0.7, 0.2, 0.9, 0.15, 0.15)]
    [InlineData("hyp.scratch.p6.yaml", 0.2, 0.3, 0.7, 0.2, 0.9, 0.15, 0.15)]
    [InlineData("hyp.scratch.custom", 0.1, 0.3, 0.7, 0.2, 0.5, 0.0, 0.0)]
    public void BuiltInSetsHoldYolov7sValues(string name, double lrf, double cls, double obj, double translate, double scale, double mixup, double pasteIn)
    {
        var h = HyperparameterFile.Load(name);

        Assert.Equal((lrf, cls, obj, translate, scale, mixup, pasteIn), (h.Lrf, h.Cls, h.Obj, h.Translate, h.Scale, h.Mixup, h.PasteIn));
        Assert.Equal((0.01, 0.937, 0.0005, 3.0, 0.8, 0.1), (h.Lr0, h.Momentum, h.WeightDecay, h.WarmupEpochs, h.WarmupMomentum, h.WarmupBiasLr));
        Assert.Equal((0.05, 1.0, 1.0, 0.2, 4.0, 0.0), (h.Box, h.ClsPw, h.ObjPw, h.IouT, h.AnchorT, h.FlGamma));
        Assert.Equal((0.015, 0.7, 0.4, 0.5, 1.0, 0.0), (h.HsvH, h.HsvS, h.HsvV, h.Fliplr, h.Mosaic, h.CopyPaste));
        Assert.True(h.LossOta);
        Assert.Equal(0.0, h.LabelSmoothing);
    }

    [Fact]
    public void AFileRoundTripsThroughItsKeyValues()
    {
        using var folder = new TempFolder();
        var path = folder.File("mine.yaml");
        var tiny = HyperparameterFile.Load("scratch.tiny");
        File.WriteAllLines(path, (tiny with { LossOta = false, FlGamma = 1.5 }).ToKeyValues().Select(kv => $"{kv.Key}: {kv.Value:R}"));

        var read = HyperparameterFile.Load(path);

        Assert.Equal(tiny with { LossOta = false, FlGamma = 1.5 }, read);
    }

    [Fact]
    public void ScaledForFollowsYolov7sTrainPy()
    {
        var s = HyperparameterFile.Load("scratch.tiny").ScaledFor(levels: 3, classes: 3, imageSize: 320);
        Assert.Equal(0.05, s.Box, 12);
        Assert.Equal(0.5 * 3 / 80, s.Cls, 12);
        Assert.Equal(0.25, s.Obj, 12);
    }

    [Theory]
    [InlineData("lr0: 0.01\nlrf: 0.01\nwarmup: 2\n", "unknown key 'warmup'")]
    [InlineData("lr0: 0.01\n", "missing key 'lrf'")]
    [InlineData("lr0: fast\n", "'lr0' must be a number > 0 and <= 1, got 'fast' (wrong type)")]
    [InlineData("lr0: 1.5\n", "'lr0' = 1.5 is out of range")]
    [InlineData("lr0: [0.01]\n", "'lr0' must be a number")]
    [InlineData("- lr0\n- 0.01\n", "not a YAML mapping")]
    [InlineData("lr0: 0.01\nlr0: 0.02\n", "not a YAML mapping")]
    public void BadFilesAreRejectedInOneLineNamingTheFileAndTheKey(string text, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("bad.yaml");
        File.WriteAllText(path, text);

        var e = Assert.Throws<HyperparameterException>(() => HyperparameterFile.Load(path));

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("mosaic", "1.5", "'mosaic' = 1.5 is out of range; it must be a number >= 0 and <= 1")]
    [InlineData("loss_ota", "2", "'loss_ota' = 2 is out of range; it must be 0 or 1")]
    [InlineData("anchor_t", "1", "'anchor_t' = 1 is out of range; it must be a number > 1")]
    public void OutOfRangeValuesInAnOtherwiseCompleteFileNameTheKey(string key, string value, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("hyp.yaml");
        File.WriteAllLines(path, HyperparameterFile.Load("scratch.p5").ToKeyValues().Select(kv => kv.Key == key ? $"{key}: {value}" : $"{kv.Key}: {kv.Value:R}"));

        var e = Assert.Throws<HyperparameterException>(() => HyperparameterFile.Load(path));

        Assert.Equal($"{path}: {expected}", e.Message);
    }

    [Fact]
    public void AnUnknownNameListsTheBuiltInSets()
    {
        var e = Assert.Throws<HyperparameterException>(() => HyperparameterFile.Load("scratch.huge"));
        Assert.Equal("--hyp scratch.huge: no such file or built-in set; give a hyp yaml path or one of finetune.tiny, scratch.adam.tiny, scratch.custom, scratch.p5, scratch.p6, scratch.tiny, synth.adam.tiny", e.Message);
    }
}
