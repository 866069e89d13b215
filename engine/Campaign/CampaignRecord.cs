using PruneCluster.Engine.Pruning;

namespace PruneCluster.Engine.Campaign;

/// <summary>
/// Everything a campaign has finished, persisted after every phase (<see cref="CampaignRecordFile"/> locally, grain
/// storage in the cluster). It holds outcomes only: what runs next, and why a campaign ended, follow from it through
/// <see cref="CampaignPlanner.Next"/>, so a resumed campaign takes the same decisions.
/// </summary>
/// <param name="Spec">The campaign's settings.</param>
/// <param name="Baseline">The input checkpoint, measured; null until the first phase ran.</param>
/// <param name="Iterations">Iterations in order, the last possibly incomplete.</param>
/// <param name="Cancelled">A user cancelled it; <see cref="Resumed"/> clears it.</param>
public sealed record CampaignRecord(
    CampaignSpec Spec,
    ModelMetrics? Baseline,
    IReadOnlyList<CampaignIteration> Iterations,
    bool Cancelled = false)
{
    /// <summary>A campaign that has run nothing yet.</summary>
    public static CampaignRecord Start(CampaignSpec spec) => new(spec, null, []);

    /// <summary>The model the next iteration starts from: the last fine-tuned model, else the baseline.</summary>
    public ModelMetrics? Current => Iterations.LastOrDefault(i => i.IsComplete)?.FineTuned ?? Baseline;

    public CampaignRecord WithBaseline(ModelMetrics baseline) =>
        Baseline is null ? this with { Baseline = baseline } : throw Out("the baseline is already measured");

    /// <summary>Records that iteration <paramref name="number"/>'s sensitivity analysis on <paramref name="input"/> is complete.</summary>
    public CampaignRecord WithSensitivityDone(int number, ModelMetrics input)
    {
        if (number != Iterations.Count + 1 || Iterations.Count > 0 && !Iterations[^1].IsComplete)
            throw Out($"iteration {number} cannot start after {Iterations.Count} iterations");
        return this with { Iterations = [.. Iterations, new CampaignIteration(number, input)] };
    }

    public CampaignRecord WithSelection(int number, IReadOnlyList<LayerRate> selection) =>
        Update(number, i => i.Selection is null ? i with { Selection = selection } : null, "its layers are already selected");

    public CampaignRecord WithPruned(int number, ModelMetrics pruned) =>
        Update(number, i => i.Selection is not null && i.Pruned is null ? i with { Pruned = pruned } : null, "it is not waiting to be pruned");

    public CampaignRecord WithFineTuned(int number, ModelMetrics fineTuned) =>
        Update(number, i => i.Pruned is not null && i.FineTuned is null ? i with { FineTuned = fineTuned } : null, "it is not waiting to be fine-tuned");

    public CampaignRecord WithCancelled() => this with { Cancelled = true };

    public CampaignRecord Resumed() => this with { Cancelled = false };

    // Phases are recorded in order and once: a late or repeated outcome (a retried job, a second silo) is a bug
    // in the executor, not something to merge silently.
    private CampaignRecord Update(int number, Func<CampaignIteration, CampaignIteration?> change, string problem)
    {
        if (number < 1 || number > Iterations.Count)
            throw Out($"iteration {number} does not exist ({Iterations.Count} so far)");
        var updated = change(Iterations[number - 1]) ?? throw Out($"iteration {number}: {problem}");
        var list = Iterations.ToArray();
        list[number - 1] = updated;
        return this with { Iterations = list };
    }

    private static InvalidOperationException Out(string message) => new($"campaign record: {message}");
}
