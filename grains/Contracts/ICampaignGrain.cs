namespace PruneCluster.Grains.Contracts;

/// <summary>
/// The coordinator of one campaign, key = campaign id: drives the engine's campaign planner (baseline, then per
/// iteration sensitivity fan-out, selection, prune, fine-tune, stop rules) through leased jobs and the sensitivity
/// aggregator, persisting its record before acknowledging anything. Every call answers within a second or two.
/// </summary>
[Alias("PruneCluster.ICampaignGrain")]
public interface ICampaignGrain : IGrainWithStringKey
{
    /// <summary>Starts the campaign; starting it again with the same input changes nothing, with other input is refused.</summary>
    [Alias("Start")]
    Task<CampaignStatus> Start(CampaignStart start);

    /// <summary>The campaign's status; <see cref="CampaignPhase.NotStarted"/> for an id never started.</summary>
    [Alias("GetStatus")]
    Task<CampaignStatus> GetStatus();

    /// <summary>Stops at the next step, cancels the running job and withdraws the running sensitivity iteration from the
    /// work board (slots stop at their next lease renewal); resumable.</summary>
    [Alias("Cancel")]
    Task<CampaignStatus> Cancel();

    /// <summary>Continues a cancelled or failed campaign where it was.</summary>
    [Alias("Resume")]
    Task<CampaignStatus> Resume();

    /// <summary>Iteration <paramref name="iteration"/>'s ranked layer table (0 = the latest), null when it has none yet.</summary>
    [Alias("GetTable")]
    Task<CampaignTable?> GetTable(int iteration);

    /// <summary>The engine's campaign record as JSON (CampaignRecordFile's format), for results and reports.</summary>
    [Alias("GetRecordJson")]
    Task<string?> GetRecordJson();
}
