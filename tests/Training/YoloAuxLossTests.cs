using System.Text.Json;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Training.Hyp;
using PruneCluster.Engine.Training.Loss;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Training;

/// <summary>ComputeLossAuxOTA (P6 models) against YOLOv7's own values on tests/fixtures/p6_aux_loss.</summary>
public sealed class YoloAuxLossTests(ITestOutputHelper output)
{
    [Fact]
    public void AuxOtaLossOfTheP6FixtureMatchesYolov7ToOnePartIn100000()
    {
        using var fixture = new P6AuxLossFixture();
        var weights = P6AuxLossFixture.Json.GetProperty("weights");
        Assert.Equal(weights.GetProperty("tensors").GetInt32(), fixture.Tensors);
        Assert.Equal(weights.GetProperty("elements").GetInt64(), fixture.Elements);

        var v = fixture.Evaluate(YoloLossKind.AuxOta);

        var expected = P6AuxLossFixture.Expected;
        double[] actual = [v.Loss, v.Lbox, v.Lobj, v.Lcls];
        output.WriteLine($"max relative difference {expected.Zip(actual, (e, a) => Math.Abs(a - e) / Math.Abs(e)).Max():E2}");
        P6AuxLossFixture.AssertClose(expected, actual);
    }

    [Fact]
    public void FixtureHypIsTheBuiltInScratchP6() =>
        Assert.Equal(HyperparameterFile.Load("scratch.p6"), P6AuxLossFixture.Hyp);

    [Fact]
    public void P6ModelsTrainWithTheAuxLossWhateverTheHypsLossOta()
    {
        using var w6 = ModelBuilder.Build(YoloCfg.Resolve("yolov7-w6"));
        using var tiny = ModelBuilder.Build(YoloCfg.Resolve("yolov7-tiny"));

        Assert.Equal(YoloLossKind.AuxOta, YoloLoss.KindFor(w6.Head, lossOta: true));
        Assert.Equal(YoloLossKind.AuxOta, YoloLoss.KindFor(w6.Head, lossOta: false));
        Assert.Equal(YoloLossKind.Ota, YoloLoss.KindFor(tiny.Head, lossOta: true));
        Assert.Equal(YoloLossKind.Plain, YoloLoss.KindFor(tiny.Head, lossOta: false));
        Assert.Throws<ArgumentException>(() => new YoloLoss(tiny.Head, HyperparameterFile.Load("scratch.tiny"), YoloLossKind.AuxOta));
    }

    [Fact]
    public void AuxLossWithoutTheAuxiliaryOutputsIsRefused()
    {
        using var fixture = new P6AuxLossFixture();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var main = fixture.Model.ForwardRaw(fixture.Input, includeAux: false);

        var e = Assert.Throws<ArgumentException>(() => new YoloLoss(fixture.Model.Head, P6AuxLossFixture.Hyp, YoloLossKind.AuxOta).Compute(main, fixture.Targets, 256));
        Assert.Contains("ComputeLossAuxOTA takes 8 raw outputs", e.Message);
    }

    [Fact]
    public void ABatchWithoutTargetsHasOnlyObjectnessLossFromMainAndAuxiliaryLevels()
    {
        using var fixture = new P6AuxLossFixture();
        using var none = zeros(0, 6);

        var aux = fixture.Evaluate(YoloLossKind.AuxOta, none);
        var ota = fixture.Evaluate(YoloLossKind.Ota, none);

        Assert.Equal(0, aux.Lbox);
        Assert.Equal(0, aux.Lcls);
        // Without positives every objectness target is 0: the auxiliary levels add a quarter of their own BCE.
        Assert.True(aux.Lobj > ota.Lobj);
        Assert.Equal(aux.Lobj * 2, aux.Loss, 5);
    }

    [Fact]
    public void LossCommandGivesYolov7sAuxLossForTheFixtureSavedAsACheckpoint()
    {
        using var folder = new TempFolder();
        var (weights, input) = (folder.File("w6.pt"), folder.File("x.npy"));
        using (var fixture = new P6AuxLossFixture())
        {
            // The state-dict layout keeps float32 (YOLOv7's layout stores float16, which would round the formula weights).
            ModelFile.Save(weights, fixture.Model, PruningPlan.Empty, format: ModelFileFormat.StateDict);
            NpyFile.Write(input, fixture.Input);
        }

        var run = CliRunner.Run("loss", "--weights", weights, "--input", input, "--targets", Path.Combine(P6AuxLossFixture.Folder, "p6_aux_loss.json"),
            "--hyp", "scratch.p6", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("ComputeLossAuxOTA", json.GetProperty("function").GetString());
        P6AuxLossFixture.AssertClose(P6AuxLossFixture.Expected, new[] { "loss", "lbox", "lobj", "lcls" }.Select(k => json.GetProperty(k).GetDouble()).ToArray());
    }
}
