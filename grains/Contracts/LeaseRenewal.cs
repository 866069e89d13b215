namespace PruneCluster.Grains.Contracts;

/// <summary>
/// The answer to a variant lease renewal (<see cref="ISensitivityIterationGrain.Renew"/>): still held; lost (it expired
/// or was released: another slot may have the task, finishing it is harmless, the first result wins); or withdrawn (its
/// campaign was cancelled: stop evaluating, nothing of it is wanted until the campaign is resumed).
/// </summary>
public enum LeaseRenewal
{
    Held,
    Lost,
    Withdrawn,
}
