namespace PruneCluster.Engine.Campaign;

/// <summary>How a campaign ended and which model it hands back.</summary>
/// <param name="Reason">Why it ended.</param>
/// <param name="FinalIteration">The iteration whose fine-tuned model is the result; 0 means the baseline.</param>
/// <param name="Message">One line for people.</param>
public sealed record CampaignOutcome(StopReason Reason, int FinalIteration, string Message);
