using System.Collections.Immutable;
using Orleans.Concurrency;

namespace PruneCluster.Grains.Contracts;

/// <summary>
/// The cluster's list of iterations with open work (one board, key 0). Evaluation slots read it when their current
/// iteration has nothing left to lease; aggregators post themselves when opened and take themselves off when complete.
/// </summary>
[Alias("PruneCluster.IWorkBoardGrain")]
public interface IWorkBoardGrain : IGrainWithIntegerKey
{
    [Alias("Post")]
    Task Post(string iterationKey);

    [Alias("Remove")]
    Task Remove(string iterationKey);

    /// <summary>Iteration keys with open work, oldest first.</summary>
    [Alias("OpenIterations"), ReadOnly]
    Task<ImmutableArray<string>> OpenIterations();
}
