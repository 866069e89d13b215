using System.Globalization;
using System.Text;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Client.Cluster;

/// <summary>A campaign's status for people: phase and step, the baseline and one row per iteration, the outcome (numbers in the invariant culture).</summary>
public static class CampaignView
{
    public static string Render(CampaignStatus s)
    {
        var text = new StringBuilder();
        text.AppendLine(I, $"campaign {s.Id} ({s.Name}), started {s.Created:yyyy-MM-dd HH:mm:ss} UTC");
        text.AppendLine(I, $"phase: {Phase(s.Phase)} — {s.Step}");
        if (s.Sensitivity is { } sensitivity && !sensitivity.Complete)
            text.AppendLine(I, $"  evaluations {sensitivity.Done}/{sensitivity.Total}, {sensitivity.Leases.Length} running, per silo: {string.Join(", ", sensitivity.DonePerSilo.Select(p => $"{p.Key} {p.Value}"))}");
        text.AppendLine(I, $"{"model",-24} {"params",12} {"GFLOPs",9} {"mAP@.5",8} {"mAP@.5:.95",10} {"time",9}");
        if (s.Baseline is { } b)
            text.AppendLine(Row("baseline", b, null));
        foreach (var i in s.Iterations)
        {
            if (i.Selected)
                text.AppendLine(I, $"iteration {i.Number}: pruning {(i.Selection.IsEmpty ? "nothing" : string.Join(", ", i.Selection.Select(l => $"({l.Layer}, {F(l.Rate, "0.##")})")))}" +
                    $"{(i.SensitivitySeconds is { } seconds ? $"; sensitivity {Duration(seconds)}" : "")}");
            if (i.Pruned is { } p)
                text.AppendLine(Row($"  {i.Number}: pruned", p, i.PruneSeconds));
            if (i.FineTuned is { } f)
                text.AppendLine(Row($"  {i.Number}: fine-tuned", f, i.FineTuneSeconds));
        }
        if (s.Outcome is { } outcome)
            text.AppendLine(I, $"outcome: {outcome}; result: {(s.FinalIteration is 0 or null ? "the baseline" : $"iteration {s.FinalIteration}'s fine-tuned model")}");
        if (s.Failure is { } failure)
            text.AppendLine(I, $"failed: {failure} (campaign resume {s.Id} tries again)");
        return text.ToString().TrimEnd();
    }

    public static string Phase(CampaignPhase phase) => phase switch
    {
        CampaignPhase.FineTuning => "fine-tuning",
        var other => other.ToString().ToLowerInvariant(),
    };

    public static string Duration(double seconds) =>
        seconds >= 3600 ? string.Create(I, $"{(int)(seconds / 3600)} h {(int)(seconds % 3600 / 60)} min")
        : seconds >= 60 ? string.Create(I, $"{(int)(seconds / 60)} min {(int)(seconds % 60)} s")
        : $"{F(seconds, "0.0")} s";

    private static string Row(string label, ModelSummary m, double? seconds) => string.Create(I,
        $"{label,-24} {m.Params,12:N0} {F(m.Gflops, "0.000"),9} {F(m.Map50, "0.0000"),8} {F(m.Map, "0.0000"),10} {(seconds is { } t ? Duration(t) : ""),9}");

    private static string F(double value, string format) => value.ToString(format, I);

    private static CultureInfo I => CultureInfo.InvariantCulture;
}
