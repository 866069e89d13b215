using Orleans.Runtime;

namespace PruneCluster.Grains.Membership;

/// <summary>
/// The silos the cluster's membership has declared dead, by the name a lease records (<c>SiloAddress.ToString()</c>).
/// A lease held by one of them ends at once instead of after its TTL: after a kill -9 of every silo, the new silos
/// join only once the old ones are declared dead, so their leases are free as soon as anyone can take them.
/// </summary>
public static class DeadSilos
{
    /// <summary>The dead silos' names, read once from the membership snapshot (check many leases against one set).</summary>
    public static HashSet<string> DeadSiloNames(this IClusterMembershipService membership) =>
        [.. membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress.ToString())];

    public static bool IsDead(this IClusterMembershipService membership, string silo) => membership.DeadSiloNames().Contains(silo);
}
