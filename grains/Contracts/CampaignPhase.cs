namespace PruneCluster.Grains.Contracts;

/// <summary>Where a campaign is: the step it runs now, or how it ended.</summary>
public enum CampaignPhase
{
    /// <summary>Never started (an unknown campaign id).</summary>
    NotStarted,

    /// <summary>Measuring the base checkpoint.</summary>
    Baseline,

    /// <summary>Planning an iteration's sensitivity work (costs of every layer × rate).</summary>
    Planning,

    /// <summary>Evaluating an iteration's variants.</summary>
    Sensitivity,

    /// <summary>Choosing the layers to prune.</summary>
    Selecting,

    Pruning,

    FineTuning,

    /// <summary>Ended by a stop rule; <see cref="CampaignStatus.Outcome"/> says which.</summary>
    Finished,

    /// <summary>Cancelled by a user; resume continues where it was.</summary>
    Cancelled,

    /// <summary>A job failed on every attempt; <see cref="CampaignStatus.Failure"/> says why, resume tries again.</summary>
    Failed,
}
