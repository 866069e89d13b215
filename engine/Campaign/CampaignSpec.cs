namespace PruneCluster.Engine.Campaign;

/// <summary>
/// What a campaign does, as <c>campaign.yaml</c> states it: how each iteration's sensitivity analysis runs, how
/// layers are selected, how the pruned model is fine-tuned, when to stop and how its checkpoints are written. Plain data, so the local driver and the
/// cluster's coordinator read the same thing. Load it with <see cref="CampaignSpecFile"/>.
/// </summary>
/// <param name="Sensitivity">The per-iteration sensitivity analysis.</param>
/// <param name="Selection">How layers are chosen from the analysis.</param>
/// <param name="FineTune">How each pruned model is fine-tuned.</param>
/// <param name="Stop">When the campaign ends.</param>
/// <param name="Output">The layout of the checkpoints it hands out.</param>
public sealed record CampaignSpec(
    SensitivitySpec Sensitivity,
    SelectionSpec Selection,
    FineTuneSpec FineTune,
    StopRules Stop,
    OutputSpec Output = default)
{
    /// <summary>The paper's settings: rates 0.25/0.5/0.75, criterion 0, its selection defaults, three iterations; YOLOv7 checkpoints.</summary>
    public static CampaignSpec Default { get; } = new(new SensitivitySpec(), new SelectionSpec(), new FineTuneSpec(), new StopRules());
}
