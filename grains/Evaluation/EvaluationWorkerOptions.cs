namespace PruneCluster.Grains.Evaluation;

/// <summary>A silo's evaluation slots: every device gets <see cref="SlotsPerDevice"/> slots (0: this silo evaluates nothing).</summary>
public sealed class EvaluationWorkerOptions
{
    public IReadOnlyList<string> Devices { get; set; } = ["cpu"];

    public int SlotsPerDevice { get; set; } = 1;

    /// <summary>
    /// Leases a slot keeps ready beside the one it evaluates, so the next evaluation starts without a grain call in
    /// between. More helps only tasks shorter than a lease call; each one held is a task no other slot can take.
    /// </summary>
    public int Prefetch { get; set; } = 1;

    /// <summary>How long a slot with nothing to do waits before it looks at the work board again.</summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a slot waits after a failed grain call before it tries again.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the silo reports its slots to the cluster's registry (<c>cluster status</c>); a silo silent for
    /// three periods drops out of it.</summary>
    public TimeSpan ReportPeriod { get; set; } = TimeSpan.FromSeconds(2);

    public IReadOnlyList<DeviceSlot> Slots() =>
        Devices.SelectMany(_ => Enumerable.Range(0, SlotsPerDevice), (device, _) => device)
            .Select((device, index) => new DeviceSlot(device, index)).ToList();
}
