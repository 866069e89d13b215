using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Evaluation;

/// <summary>
/// Evaluates one variant on one device slot, synchronously, on the slot's own thread (never on the Orleans scheduler).
/// Returns the metrics; the worker fills in where and how long it ran. Must be safe to call from several slots at once,
/// and must give up promptly (throw) when cancelled: a graceful shutdown waits for the slot's thread.
/// </summary>
public interface IVariantEvaluator
{
    VariantResult Evaluate(VariantTask task, DeviceSlot slot, CancellationToken cancellationToken);
}
