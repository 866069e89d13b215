namespace PruneCluster.Grains.Contracts;

/// <summary>A running job's progress, sent with every lease renewal: share done, epoch (fine-tuning), time left.</summary>
[GenerateSerializer, Immutable, Alias("PruneCluster.JobProgress")]
public sealed record JobProgress(
    [property: Id(0)] double Fraction,
    [property: Id(1)] int Epoch,
    [property: Id(2)] int Epochs,
    [property: Id(3)] TimeSpan? Eta,
    [property: Id(4)] string Message)
{
    public static JobProgress Started { get; } = new(0, 0, 0, null, "started");
}
