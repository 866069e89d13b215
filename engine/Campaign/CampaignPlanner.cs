using System.Globalization;

namespace PruneCluster.Engine.Campaign;

/// <summary>
/// The campaign's decisions, in one place: from a record, the next step. The local driver and the cluster's
/// coordinator both loop <c>step = Next(record)</c>, run it, record its outcome, persist — so both take the same
/// decisions and either resumes after any interruption at the first unfinished phase.
/// </summary>
/// <remarks>
/// Stop rules are checked between iterations, on the last fine-tuned model: an iteration whose mAP falls below the
/// floor or drops more than allowed is rejected (the campaign's result is the iteration before it); reaching a
/// params or GFLOPs target, or the iteration limit, ends the campaign with the last model.
/// </remarks>
public static class CampaignPlanner
{
    public static CampaignStep Next(CampaignRecord record)
    {
        var step = Decide(record);
        // Every complete iteration is accepted (a rejected one ends the campaign), so the last is the result.
        return record.Cancelled && step is not CampaignStep.Finished
            ? Finish(StopReason.Cancelled, record.Iterations.Count(i => i.IsComplete), "cancelled; resume it to continue")
            : step;
    }

    private static CampaignStep Decide(CampaignRecord record)
    {
        if (record.Baseline is not { } baseline)
            return new CampaignStep.EvaluateBaseline();

        var last = record.Iterations.Count > 0 ? record.Iterations[^1] : null;
        if (last is { IsComplete: false })
            return NextPhase(last);

        if (last is { FineTuned: { } tuned })
        {
            var rules = record.Spec.Stop;
            if (rules.MapFloor is { } floor && tuned.Map < floor)
                return Finish(StopReason.MapBelowFloor, last.Number - 1,
                    $"iteration {last.Number} fell to mAP@.5:.95 {F(tuned.Map)}, below the floor {F(floor)}; its model is rejected");
            if (rules.MaxMapDrop is { } drop && last.Input.Map - tuned.Map > drop)
                return Finish(StopReason.MapDropTooLarge, last.Number - 1,
                    $"iteration {last.Number} lost {F(last.Input.Map - tuned.Map)} mAP@.5:.95, more than max_map_drop {F(drop)}; its model is rejected");
            if (tuned.Params >= last.Input.Params && tuned.Gflops >= last.Input.Gflops)
                return Finish(StopReason.NothingToPrune, last.Number, $"iteration {last.Number} removed nothing");
            if (TargetReached(record.Spec.Stop, baseline, tuned) is { } target)
                return Finish(StopReason.TargetReached, last.Number, target);
        }
        if (record.Iterations.Count >= record.Spec.Stop.MaxIterations)
            return Finish(StopReason.MaxIterations, record.Iterations.Count, $"{record.Spec.Stop.MaxIterations} iterations done");
        return new CampaignStep.RunSensitivity(record.Iterations.Count + 1, record.Current!);
    }

    /// <summary>Share of the baseline removed (0.4 = 40 % fewer).</summary>
    public static double Reduction(double baseline, double now) => baseline <= 0 ? 0 : 1 - now / baseline;

    private static CampaignStep NextPhase(CampaignIteration iteration)
    {
        if (iteration.Selection is not { } selection)
            return new CampaignStep.SelectLayers(iteration.Number);
        if (selection.Count == 0)
            return Finish(StopReason.NothingToPrune, iteration.Number - 1,
                $"iteration {iteration.Number}: the selection found no layer worth pruning");
        if (iteration.Pruned is not { } pruned)
            return new CampaignStep.Prune(iteration.Number, iteration.Input, selection);
        return new CampaignStep.FineTune(iteration.Number, pruned);
    }

    private static string? TargetReached(StopRules rules, ModelMetrics baseline, ModelMetrics now)
    {
        var paramsCut = Reduction(baseline.Params, now.Params);
        var gflopsCut = Reduction(baseline.Gflops, now.Gflops);
        if (rules.TargetParamsReduction is { } p && paramsCut >= p)
            return $"parameters {P(paramsCut)} below the baseline (target {P(p)})";
        if (rules.TargetGflopsReduction is { } g && gflopsCut >= g)
            return $"GFLOPs {P(gflopsCut)} below the baseline (target {P(g)})";
        return null;
    }

    private static CampaignStep.Finished Finish(StopReason reason, int finalIteration, string message) =>
        new(new CampaignOutcome(reason, finalIteration, message));

    private static string F(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string P(double share) => (100 * share).ToString("0.0", CultureInfo.InvariantCulture) + " %";
}
