using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Sensitivity;

/// <summary>
/// The tasks waiting for a slot, largest cost first (ties: lower layer, then lower rate), so the long evaluations of the
/// first layers start early and the short ones fill the gaps at the end.
/// </summary>
public sealed class WorkQueue
{
    private readonly PriorityQueue<VariantTask, (double NegativeCost, int Layer, double Rate)> queue = new();

    public int Count => queue.Count;

    public void Add(VariantTask task) => queue.Enqueue(task, (-task.Cost, task.Key.Layer, task.Key.Rate));

    public bool TryTake(out VariantTask task) => queue.TryDequeue(out task!, out _);
}
