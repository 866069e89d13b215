using PruneCluster.Engine.Training.Hyp;
using PruneCluster.Engine.Training.Loss;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Training;

public class YoloLossGoldenTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LossOfTheGoldenBatchMatchesYolov7ToOnePartIn100000(bool ota)
    {
        using var batch = new LossGoldenBatch();

        var v = batch.Evaluate(LossGolden.Hyp, ota);

        LossGolden.AssertClose(LossGolden.Expected(ota), [v.Loss, v.Lbox, v.Lobj, v.Lcls]);
    }

    [Fact]
    public void GoldenHypIsTheBuiltInScratchTiny() =>
        Assert.Equal(HyperparameterFile.Load("scratch.tiny"), LossGolden.Hyp);

    [Fact]
    public void BackwardThroughTheOtaLossGivesFiniteNonzeroGradientsOnTheHead()
    {
        using var batch = new LossGoldenBatch();
        using var scope = NewDisposeScope();
        var model = batch.Loaded.Model;
        foreach (var p in model.parameters())
            p.requires_grad = true;

        var raw = model.ForwardRaw(batch.Input, includeAux: false);
        using var loss = new YoloLoss(model.Head, LossGolden.Hyp, YoloLossKind.Ota).Compute(raw, batch.Targets, batch.Input.shape[2]);
        loss.Total.backward();

        var head = model.Head.named_parameters().ToList();
        Assert.NotEmpty(head);
        foreach (var (name, p) in head)
        {
            Assert.True(p.grad is not null, $"{name} has no gradient");
            Assert.True(p.grad!.isfinite().all().item<bool>(), $"{name} has a non-finite gradient");
            Assert.True(p.grad.abs().sum().item<float>() > 0, $"{name} has a zero gradient");
        }
        // The loss reaches the backbone too (first conv).
        Assert.True(model.parameters().First().grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void ABatchWithoutTargetsHasOnlyObjectnessLoss()
    {
        using var batch = new LossGoldenBatch();
        using var none = zeros(0, 6);

        foreach (var ota in new[] { false, true })
        {
            var v = batch.Evaluate(LossGolden.Hyp, ota, targets: none);
            Assert.Equal(0, v.Lbox);
            Assert.Equal(0, v.Lcls);
            Assert.True(v.Lobj > 0);
            Assert.Equal(v.Lobj * 2, v.Loss, 5);
        }
    }
}
