using System.Collections.Immutable;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Grains.Simulation;

/// <summary>An iteration's tasks for simulations: every layer × rate, costs from <see cref="Yolov7CostProfile"/>.</summary>
public static class SimulatedWorkload
{
    public static readonly EvaluationSpec Spec = new("simulated-model", "simulated-data", 640, 32, 0, 0);

    public static ImmutableArray<VariantTask> Tasks(string campaign, int iteration, int layers, IReadOnlyList<double> rates) =>
        Enumerable.Range(0, layers)
            .SelectMany(_ => rates, (layer, rate) => new VariantTask(new VariantKey(campaign, iteration, layer, rate), Yolov7CostProfile.Of(layer), Spec))
            .ToImmutableArray();
}
