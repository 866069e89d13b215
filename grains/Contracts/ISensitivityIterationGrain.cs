using System.Collections.Immutable;

namespace PruneCluster.Grains.Contracts;

/// <summary>
/// The aggregator of one iteration, key "{campaign}/{iteration}": owns the work list, leases tasks to evaluation slots
/// largest cost first, takes back the work of expired or released leases, and collects one result per variant.
/// </summary>
[Alias("PruneCluster.ISensitivityIterationGrain")]
public interface ISensitivityIterationGrain : IGrainWithStringKey
{
    /// <summary>Opens the iteration with its tasks; opening an open iteration again changes nothing, except that a
    /// withdrawn one is posted again with its unsettled tasks waiting.</summary>
    [Alias("Open")]
    Task<IterationStatus> Open(ImmutableArray<VariantTask> tasks, TimeSpan leaseTtl);

    /// <summary>The waiting task with the largest cost, leased to this slot, or null when none waits.</summary>
    [Alias("Lease")]
    Task<Lease?> Lease(string silo, int slot);

    /// <summary>Up to <paramref name="count"/> of the waiting tasks, largest cost first, leased to this slot in one call
    /// (a slot keeps a few ready when tasks are short); empty when none waits.</summary>
    [Alias("LeaseMany")]
    Task<ImmutableArray<Lease>> LeaseMany(string silo, int slot, int count);

    /// <summary>Extends a lease by its TTL (<see cref="LeaseRenewal.Held"/>), or says why it is no longer held: lost
    /// (expired, released or done) or withdrawn (the iteration is off the board: its campaign was cancelled; stop evaluating).</summary>
    [Alias("Renew")]
    Task<LeaseRenewal> Renew(string leaseId);

    /// <summary>
    /// Takes the iteration off the work board (its campaign was cancelled): every lease ends (a holder learns it at its
    /// next <see cref="Renew"/>), nothing more is leased, results still delivered are kept. <see cref="Open"/> posts it
    /// again. A complete or never opened iteration has nothing to withdraw.
    /// </summary>
    [Alias("Withdraw")]
    Task Withdraw();

    /// <summary>Hands a lease's task back to the queue at once (graceful shutdown).</summary>
    [Alias("Release")]
    Task Release(string leaseId);

    /// <summary>
    /// Records a result in the variant's grain and marks the variant done; the first result of a variant wins, later
    /// ones are ignored. True when this result is the one kept. Safe to repeat: a call that failed (say, a storage
    /// write) is retried until it succeeds, and the iteration finishes on the retry.
    /// </summary>
    [Alias("Complete")]
    Task<bool> Complete(string leaseId, VariantResult result);

    /// <summary>
    /// Reports that evaluating a lease's variant failed with <paramref name="error"/>. The variant waits again until it
    /// has failed <see cref="MaxAttempts"/> times; then it is settled as failed (see <see cref="IterationStatus.Failed"/>).
    /// </summary>
    [Alias("Fail")]
    Task Fail(string leaseId, VariantKey key, string error);

    /// <summary>How many failed evaluations make a variant failed for good.</summary>
    const int MaxAttempts = 3;

    [Alias("GetStatus")]
    Task<IterationStatus> GetStatus();

    /// <summary>The results so far (all of them once the iteration is complete), in the order of the tasks; read from the
    /// variant grains, where they are kept.</summary>
    [Alias("GetResults")]
    Task<ImmutableArray<VariantResult>> GetResults();
}
