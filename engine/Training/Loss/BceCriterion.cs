using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace PruneCluster.Engine.Training.Loss;

/// <summary>
/// YOLOv7's <c>BCEWithLogitsLoss(pos_weight)</c>, wrapped in its <c>FocalLoss</c> (alpha 0.25) when gamma &gt; 0; the mean
/// over all elements.
/// </summary>
internal sealed class BceCriterion(double positiveWeight, double focalGamma)
{
    private const double FocalAlpha = 0.25;

    public Tensor Mean(Tensor logits, Tensor target)
    {
        var weight = tensor(new[] { (float)positiveWeight }, device: logits.device);
        if (focalGamma <= 0)
            return binary_cross_entropy_with_logits(logits, target, reduction: TorchSharp.torch.nn.Reduction.Mean, pos_weights: weight);
        var loss = binary_cross_entropy_with_logits(logits, target, reduction: TorchSharp.torch.nn.Reduction.None, pos_weights: weight);
        var probability = logits.sigmoid();
        var pt = target * probability + (1 - target) * (1 - probability);
        var alphaFactor = target * FocalAlpha + (1 - target) * (1 - FocalAlpha);
        var modulating = (1.0 - pt).pow(focalGamma);
        return (loss * alphaFactor * modulating).mean();
    }
}
