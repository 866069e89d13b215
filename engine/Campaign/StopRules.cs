namespace PruneCluster.Engine.Campaign;

/// <summary>
/// When a campaign ends. Reductions are shares of the campaign's baseline (0.4 = 40 % fewer); mAP is mAP@.5:.95 of
/// the fine-tuned model. Null disables a rule; <see cref="MaxIterations"/> always applies.
/// </summary>
/// <param name="TargetParamsReduction">Stop once the parameters are this far below the baseline.</param>
/// <param name="TargetGflopsReduction">Stop once the GFLOPs are this far below the baseline.</param>
/// <param name="MapFloor">An iteration whose fine-tuned mAP falls below this is rejected and the campaign stops.</param>
/// <param name="MaxMapDrop">An iteration that loses more mAP than this (fine-tuned against its input) is rejected and the campaign stops.</param>
/// <param name="MaxIterations">At most this many iterations.</param>
public sealed record StopRules(
    double? TargetParamsReduction = null,
    double? TargetGflopsReduction = null,
    double? MapFloor = null,
    double? MaxMapDrop = null,
    int MaxIterations = 3);
