using PruneCluster.Engine.Training.Hyp;
using PruneCluster.Engine.Training.Loss;

namespace PruneCluster.Tests.Training;

/// <summary>
/// The loss options the golden file leaves at zero. Reference values: YOLOv7's utils/loss.py (commit a207844) under
/// PyTorch 1.13 on the golden batch, model and targets, with the golden hyp but fl_gamma 1.5 and label_smoothing 0.1.
/// </summary>
public class YoloLossVariantTests
{
    private static readonly Hyperparameters FocalSmoothed = LossGolden.Hyp with { FlGamma = 1.5, LabelSmoothing = 0.1 };

    [Theory]
    [InlineData(false, 3.205395221710205, 0.1474856436252594, 0.7900762557983398, 0.6651357412338257)]
    [InlineData(true, 2.4613442420959473, 0.08951488882303238, 0.7959478497505188, 0.3452093005180359)]
    public void FocalLossAndLabelSmoothingMatchYolov7(bool ota, double total, double lbox, double lobj, double lcls)
    {
        using var batch = new LossGoldenBatch();

        var v = batch.Evaluate(FocalSmoothed, ota);

        LossGolden.AssertClose([total, lbox, lobj, lcls], [v.Loss, v.Lbox, v.Lobj, v.Lcls]);
    }

    [Fact]
    public void AutobalanceMovesTheLevelWeightsAsYolov7AfterThreeBatches()
    {
        using var batch = new LossGoldenBatch();
        var loss = new YoloLoss(batch.Loaded.Model.Head, FocalSmoothed, YoloLossKind.Ota, autobalance: true);

        batch.Evaluate(FocalSmoothed, true, loss);
        batch.Evaluate(FocalSmoothed, true, loss);
        var last = batch.Evaluate(FocalSmoothed, true, loss);

        LossGolden.AssertClose([2.4617714881896973], [last.Loss]);
        Assert.Equal(4.008751846854887, loss.Balance[0], 1e-6);
        Assert.Equal(1.0, loss.Balance[1]);
        Assert.Equal(0.4001359356073068, loss.Balance[2], 1e-6);
    }
}
