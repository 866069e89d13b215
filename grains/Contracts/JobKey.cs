namespace PruneCluster.Grains.Contracts;

/// <summary>
/// One job: a campaign's step of one kind in one iteration (0 for the baseline), and its generation (a resumed
/// campaign whose job had failed every attempt starts a new generation, a fresh job).
/// </summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.JobKey")]
public sealed record JobKey(
    [property: Id(0)] string Campaign,
    [property: Id(1)] int Iteration,
    [property: Id(2)] JobKind Kind,
    [property: Id(3)] int Generation = 0)
{
    /// <summary>The job grain's key, "{campaign}/{iteration}/{kind}/{generation}".</summary>
    public string GrainKey => $"{Campaign}/{Iteration}/{Kind}/{Generation}";
}
