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
/// <param name="VariantsPerPass">
/// How many (layer, rate) variants share one pass over the set (fast mode). Results are written after every pass,
/// so an interruption loses at most one pass; more variants per pass reuse more and need more memory.
/// </param>
public sealed record SensitivityOptions(
    IReadOnlyList<double> Rates,
    Criterion Criterion = Criterion.SmallestL2,
    long Seed = 0,
    IReadOnlyList<int>? Layers = null,
    NmsOptions? Nms = null,
    bool Naive = false,
    int VariantsPerPass = 12);
