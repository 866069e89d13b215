namespace PruneCluster.Grains.Campaigns;

/// <summary>How coordinators drive campaigns.</summary>
public sealed class CoordinatorOptions
{
    /// <summary>How often an active coordinator looks at its running job or sensitivity iteration.</summary>
    public TimeSpan Poll { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Lease TTL of campaign jobs; a slot renews every third of it with progress.</summary>
    public TimeSpan JobLeaseTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Lease TTL of sensitivity variants.</summary>
    public TimeSpan VariantLeaseTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Period of the reminder that wakes a running campaign after a full restart (Orleans' minimum is one minute).
    /// </summary>
    public TimeSpan WakePeriod { get; set; } = TimeSpan.FromMinutes(1);
}
