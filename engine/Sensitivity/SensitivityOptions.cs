using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Pruning;

namespace PruneCluster.Engine.Sensitivity;

/// <summary>What a sensitivity analysis evaluates and how.</summary>
/// <param name="Rates">Pruning rates, each evaluated for every selected layer (the paper: 0.25, 0.5, 0.75).</param>
/// <param name="Layers">Prunable layer indices to analyse; null = all of the model's.</param>
/// <param name="Naive">
/// The paper's way: for each (layer, rate) copy the model, prune it, decode the validation set again and evaluate all
/// of it. Kept for comparison; the default reuses the decoded set and each batch's unaffected activations.
/// </param>
/// <param name="ActivationCacheBytes">
/// Fast mode: memory (on the model's device) for the unpruned activations the variants reuse. Batches that fit are
/// computed once for the whole analysis; the others once per group of <paramref name="VariantsPerGroup"/>. Metrics do
/// not depend on it; speed, memory and what an interruption loses do.
/// </param>
/// <param name="VariantsPerGroup">
/// Fast mode, when not every batch fits <paramref name="ActivationCacheBytes"/>: variants evaluated together, sharing
/// each unpruned forward of the batches not kept. Their results are saved together, so an interruption loses at most
/// one group. When every batch fits, variants are evaluated and saved one at a time.
/// </param>
/// <param name="ImportancePrecision">
/// Precision filter importances are ranked in, recorded with the results: "stored" (the checkpoint's own, as the
/// paper's code ranks) or "float32".
/// </param>
/// <param name="RoundTo">Each pruned layer keeps a multiple of this many filters (<see cref="Pruner.FiltersToRemove"/>), as <c>prune --round-to</c>.</param>
public sealed record SensitivityOptions(
    IReadOnlyList<double> Rates,
    Criterion Criterion = Criterion.SmallestL2,
    long Seed = 0,
    IReadOnlyList<int>? Layers = null,
    NmsOptions? Nms = null,
    bool Naive = false,
    long ActivationCacheBytes = SensitivityOptions.DefaultActivationCacheBytes,
    int VariantsPerGroup = 12,
    string ImportancePrecision = "stored",
    int RoundTo = 1)
{
    /// <summary>4 GiB: what yolov7-tiny at 320 keeps for all of bccd val (2.1 GiB) or coco128 (3.8 GiB).</summary>
    public const long DefaultActivationCacheBytes = 4L << 30;

    // Criterion 6 draws one generator per layer (FilterImportance.RandomSeed), so fast and naive mode, a resume, a
    // cluster slot and `prune` remove the same filters.
    internal FilterImportance Importance() => new(Criterion, Seed, ImportancePrecision switch
    {
        "stored" => Pruning.ImportancePrecision.Stored,
        "float32" => Pruning.ImportancePrecision.Float32,
        var other => throw new PruningException($"importance precision '{other}': use stored or float32"),
    });
}
