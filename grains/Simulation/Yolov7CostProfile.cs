namespace PruneCluster.Grains.Simulation;

/// <summary>
/// yolov7's per-layer evaluation cost for simulations: for each of its 89 prunable conv layers, the GFLOPs (at 640) of
/// every network row from the layer's yaml row on, heads included — an upper bound of what a fast-mode variant
/// recomputes. Derived once from `prunecluster info --cfg yolov7 --json` (sum of "gflops" over layers whose
/// "yaml_layer" is at or after the layer's). The first layers reach almost the whole network (104.5 of 104.5 GFLOPs),
/// the last ones a twentieth of it.
/// </summary>
public static class Yolov7CostProfile
{
    public static IReadOnlyList<double> ReachedGflops { get; } =
    [
        104.5, 103.8, 100.0, 92.5, 88.7, 88.3, 87.9, 86.0, 84.1, 82.2, 80.3, 77.0, 76.5, 74.9, 73.0, 72.6, 72.1, 70.2,
        68.4, 66.5, 64.6, 61.2, 60.8, 59.1, 57.2, 56.8, 56.4, 54.5, 52.6, 50.7, 48.9, 45.5, 45.1, 43.4, 41.5, 41.3,
        41.1, 40.6, 40.2, 39.7, 39.2, 38.4, 38.4, 38.4, 38.4, 38.4, 38.4, 38.4, 32.3, 32.2, 31.3, 30.9, 30.5, 29.6,
        29.1, 28.6, 28.1, 27.3, 27.2, 26.4, 25.9, 25.5, 24.6, 24.1, 23.6, 23.2, 22.3, 22.3, 22.1, 21.6, 21.2, 20.8,
        19.8, 19.3, 18.9, 18.4, 17.6, 17.5, 17.3, 16.8, 16.4, 16.0, 15.0, 14.6, 14.1, 13.6, 12.8, 9.0, 5.2,
    ];

    public const double TotalGflops = 104.5;

    /// <summary>The cost of a layer; layers past yolov7's 89 wrap around (larger simulated networks).</summary>
    public static double Of(int layer) => ReachedGflops[layer % ReachedGflops.Count];
}
