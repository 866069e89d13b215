using System.Globalization;
using System.Net;
using System.Text;
using PruneCluster.Engine.Checkpoints;
using ScottPlot;

namespace PruneCluster.Engine.Campaign;

/// <summary>
/// A campaign's report, from its record and timings only (so it can be rewritten any time): the paper's
/// per-iteration table — params, sparsity, GFLOPs, reduction, mAP@.5 and mAP@.5:.95 before and after fine-tuning,
/// wall time per phase — as <c>report.md</c>, a self-contained <c>report.html</c> (plots embedded) and
/// <c>report.json</c>, plus <c>map_vs_params.png</c> and <c>map_vs_gflops.png</c>. Every number is written in the
/// invariant culture, whatever the machine's.
/// </summary>
public static class CampaignReport
{
    public static readonly string[] FileNames = ["report.md", "report.html", "report.json", "map_vs_params.png", "map_vs_gflops.png"];

    /// <summary>One table row: the baseline (iteration 0) or an iteration's model before and after fine-tuning.</summary>
    public sealed record Row(int Iteration, string Layers, ModelMetrics? Pruned, ModelMetrics Model, double Sparsity, double GflopsReduction,
        IReadOnlyDictionary<string, double> Seconds);

    public static IReadOnlyList<Row> Rows(CampaignRecord record, IReadOnlyDictionary<string, double> timings)
    {
        if (record.Baseline is not { } baseline)
            return [];
        IReadOnlyDictionary<string, double> Times(int k) => timings
            .Where(t => t.Key.StartsWith(CampaignFolder.TimingKey(k, ""), StringComparison.Ordinal))
            .ToDictionary(t => t.Key[(t.Key.IndexOf('/') + 1)..], t => t.Value);
        var rows = new List<Row> { new(0, "", null, baseline, 0, 0, Times(0)) };
        foreach (var it in record.Iterations.Where(i => i.IsComplete))
        {
            var tuned = it.FineTuned!;
            rows.Add(new Row(it.Number, Pruning.PruningParams.Format(it.Selection!), it.Pruned, tuned,
                CampaignPlanner.Reduction(baseline.Params, tuned.Params), CampaignPlanner.Reduction(baseline.Gflops, tuned.Gflops), Times(it.Number)));
        }
        return rows;
    }

    /// <summary>Writes the report files into the campaign folder and returns their paths.</summary>
    public static IReadOnlyList<string> Write(CampaignFolder folder, CampaignRecord record, CampaignOutcome? outcome)
    {
        var rows = Rows(record, folder.ReadTimings());
        var paramsPlot = Path.Combine(folder.Path, FileNames[3]);
        var gflopsPlot = Path.Combine(folder.Path, FileNames[4]);
        Plot(rows, r => r.Params / 1e6, "parameters (millions, fused)", paramsPlot);
        Plot(rows, r => r.Gflops, "GFLOPs", gflopsPlot);
        var md = Markdown(record, rows, outcome);
        WriteText(Path.Combine(folder.Path, FileNames[0]), md);
        WriteText(Path.Combine(folder.Path, FileNames[1]), Html(record, rows, outcome, paramsPlot, gflopsPlot));
        folder.WriteJson(Path.Combine(folder.Path, FileNames[2]), new
        {
            Outcome = outcome is null ? null : new { Reason = outcome.Reason.ToString(), outcome.FinalIteration, outcome.Message },
            Spec = record.Spec,
            Rows = rows.Select(r => new
            {
                r.Iteration,
                r.Layers,
                Before = r.Pruned,
                After = r.Model,
                r.Sparsity,
                r.GflopsReduction,
                r.Seconds,
            }),
        });
        return FileNames.Select(f => Path.Combine(folder.Path, f)).ToList();
    }

    private static readonly string[] Phases = ["sensitivity", "select", "prune", "fine-tune"];

    private static string Markdown(CampaignRecord record, IReadOnlyList<Row> rows, CampaignOutcome? outcome)
    {
        var text = new StringBuilder("# Pruning campaign\n\n");
        text.Append(Settings(record)).Append("\n\n");
        if (outcome is not null)
            text.Append("Result: ").Append(outcome.Message).Append(" (final model: ").Append(outcome.FinalIteration == 0 ? "the baseline" : $"iteration {outcome.FinalIteration}").Append(").\n\n");
        text.Append("| iteration | params | sparsity | GFLOPs | reduction | mAP@.5 before FT | mAP@.5:.95 before FT | mAP@.5 | mAP@.5:.95 | sensitivity | select | prune | fine-tune |\n");
        text.Append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var cells in rows.Select(Cells))
            text.Append("| ").AppendJoin(" | ", cells).Append(" |\n");
        text.Append("\nmAP before FT: the pruned model before fine-tuning; times are wall clock (m:ss).\n\n");
        foreach (var r in rows.Where(r => r.Iteration > 0))
            text.Append(CultureInfo.InvariantCulture, $"- iteration {r.Iteration} pruned {r.Layers}\n");
        text.Append("\n![mAP vs params](map_vs_params.png)\n![mAP vs GFLOPs](map_vs_gflops.png)\n");
        return text.ToString();
    }

    private static string Html(CampaignRecord record, IReadOnlyList<Row> rows, CampaignOutcome? outcome, string paramsPlot, string gflopsPlot)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        static string Img(string path, string alt) => $"<img alt=\"{alt}\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(path))}\">";
        var text = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Pruning campaign</title>\n")
            .Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px;text-align:right}img{max-width:48%}</style></head><body>\n")
            .Append("<h1>Pruning campaign</h1>\n<p>").Append(E(Settings(record))).Append("</p>\n");
        if (outcome is not null)
            text.Append("<p>Result: ").Append(E(outcome.Message)).Append("</p>\n");
        text.Append("<table><tr><th>iteration</th><th>params</th><th>sparsity</th><th>GFLOPs</th><th>reduction</th><th>mAP@.5 before FT</th><th>mAP@.5:.95 before FT</th><th>mAP@.5</th><th>mAP@.5:.95</th><th>sensitivity</th><th>select</th><th>prune</th><th>fine-tune</th></tr>\n");
        foreach (var cells in rows.Select(Cells))
            text.Append("<tr>").AppendJoin("", cells.Select(c => $"<td>{E(c)}</td>")).Append("</tr>\n");
        text.Append("</table>\n<ul>\n");
        foreach (var r in rows.Where(r => r.Iteration > 0))
            text.Append(CultureInfo.InvariantCulture, $"<li>iteration {r.Iteration} pruned {E(r.Layers)}</li>\n");
        text.Append("</ul>\n").Append(Img(paramsPlot, "mAP vs params")).Append(Img(gflopsPlot, "mAP vs GFLOPs")).Append("\n</body></html>\n");
        return text.ToString();
    }

    private static string Settings(CampaignRecord record)
    {
        var s = record.Spec;
        var mode = s.Selection.Mode.ToString().ToLowerInvariant();
        var selection = s.Selection.Mode == SelectionMode.Target
            ? string.Create(CultureInfo.InvariantCulture, $"gflops_step {s.Selection.GflopsStep}")
            : string.Create(CultureInfo.InvariantCulture, $"params_layers {s.Selection.ParamsLayers}, flops_layers {s.Selection.FlopsLayers}");
        return string.Create(CultureInfo.InvariantCulture,
            $"Settings: img {s.Sensitivity.Img}, rates {string.Join("/", s.Sensitivity.Rates.Select(r => r.ToString(CultureInfo.InvariantCulture)))}, criterion {s.Sensitivity.Criterion}, selection {mode} ({selection}), fine-tune {s.FineTune.Epochs} epochs ({s.FineTune.Hyp}, batch {s.FineTune.BatchSize}), at most {s.Stop.MaxIterations} iterations.");
    }

    private static string[] Cells(Row r)
    {
        static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        string T(string phase) => r.Seconds.TryGetValue(phase, out var s) ? TimeSpan.FromSeconds(s).ToString(s >= 3600 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture) : "";
        return
        [
            r.Iteration == 0 ? "baseline" : F(r.Iteration, "0"),
            r.Model.Params.ToString("N0", CultureInfo.InvariantCulture),
            F(100 * r.Sparsity, "0.0") + " %",
            F(r.Model.Gflops, "0.000"),
            F(100 * r.GflopsReduction, "0.0") + " %",
            r.Pruned is { } p ? F(p.Map50, "0.0000") : "",
            r.Pruned is { } q ? F(q.Map, "0.0000") : "",
            F(r.Model.Map50, "0.0000"),
            F(r.Model.Map, "0.0000"),
            r.Iteration == 0 ? T("baseline") + " (baseline)" : T("sensitivity"), T("select"), T("prune"), T("fine-tune"),
        ];
    }

    private static void Plot(IReadOnlyList<Row> rows, Func<ModelMetrics, double> x, string xLabel, string path)
    {
        var plot = new Plot();
        if (rows.Count > 0)
        {
            var after = plot.Add.ScatterLine(rows.Select(r => x(r.Model)).ToArray(), rows.Select(r => r.Model.Map).ToArray());
            after.LegendText = "fine-tuned (iteration 0 = baseline)";
            var pruned = rows.Where(r => r.Pruned is not null).ToList();
            if (pruned.Count > 0)
            {
                var before = plot.Add.ScatterPoints(pruned.Select(r => x(r.Pruned!)).ToArray(), pruned.Select(r => r.Pruned!.Map).ToArray());
                before.LegendText = "pruned, before fine-tuning";
            }
            foreach (var r in rows)
                plot.Add.Text(r.Iteration.ToString(CultureInfo.InvariantCulture), x(r.Model), r.Model.Map);
            plot.ShowLegend();
        }
        plot.XLabel(xLabel);
        plot.YLabel("mAP@.5:.95");
        plot.Title($"mAP@.5:.95 vs {xLabel}");
        Plots.InvariantPng.Save(plot, path, 800, 500);
    }

    private static void WriteText(string path, string text) => AtomicFile.Write(path, s => s.Write(Encoding.UTF8.GetBytes(text)));
}
