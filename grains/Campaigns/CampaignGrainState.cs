using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Campaigns;

/// <summary>
/// What a coordinator persists: how the campaign was started, the engine's campaign record (as CampaignRecordFile's
/// JSON, the same format the local driver writes), the job generation (a resume after a failed job starts fresh
/// jobs), the failure that stopped it, and wall times per phase.
/// </summary>
[GenerateSerializer, Alias("PruneCluster.CampaignGrainState")]
public sealed class CampaignGrainState
{
    [Id(0)] public CampaignStart? Start { get; set; }
    [Id(1)] public string? RecordJson { get; set; }
    [Id(2)] public int Generation { get; set; }
    [Id(3)] public string? Failure { get; set; }
    /// <summary>Seconds per finished phase, keyed "{iteration}/{phase}" (phase: sensitivity, prune, fine-tune).</summary>
    [Id(4)] public Dictionary<string, double> PhaseSeconds { get; set; } = [];
    /// <summary>When the phase running now began.</summary>
    [Id(5)] public DateTime? PhaseStarted { get; set; }
    [Id(6)] public DateTime Updated { get; set; }
}
