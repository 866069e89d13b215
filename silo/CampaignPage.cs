using System.Globalization;
using System.Net;
using System.Text;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Silo;

/// <summary>The campaign pages' HTML, rendered on the server (readable without scripts); a running campaign's page
/// reloads itself every few seconds.</summary>
public static class CampaignPage
{
    private const string Style =
        "body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}" +
        "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}" +
        "tr.selected{background:#e8f5e9}.muted{color:#777}";

    public static string List(IReadOnlyList<CampaignStatus> campaigns)
    {
        var html = Begin("PruneCluster campaigns", refresh: campaigns.Any(c => !c.Ended));
        html.Append("<h1>Campaigns</h1>");
        if (campaigns.Count == 0)
            html.Append("<p id=\"empty\">No campaigns yet: start one with <code>prunecluster campaign start</code>.</p>");
        html.Append("<table id=\"campaigns\"><thead><tr><th class=\"l\">campaign</th><th class=\"l\">name</th><th class=\"l\">phase</th><th>iteration</th><th class=\"l\">step</th><th class=\"l\">updated (UTC)</th></tr></thead><tbody>");
        foreach (var c in campaigns)
            html.Append($"<tr><td class=\"l\"><a href=\"/campaigns/{Url(c.Id)}\">{E(c.Id)}</a></td><td class=\"l\">{E(c.Name)}</td><td class=\"l\">{c.Phase}</td>")
                .Append($"<td>{c.Iteration}</td><td class=\"l\">{E(c.Step)}</td><td class=\"l\">{c.Updated:yyyy-MM-dd HH:mm:ss}</td></tr>");
        return End(html.Append("</tbody></table>"));
    }

    public static string Campaign(CampaignStatus c, CampaignTable? table)
    {
        var html = Begin($"Campaign {c.Name}", refresh: !c.Ended);
        html.Append($"<h1>{E(c.Name)} <small class=\"muted\">{E(c.Id)}</small></h1>");
        html.Append($"<p id=\"phase\">Phase <b>{c.Phase}</b>, iteration {c.Iteration}: {E(c.Step)}</p>");
        if (c.Outcome is { } outcome)
            html.Append($"<p id=\"outcome\">Outcome: {E(outcome)}{(c.FinalIteration is { } k ? $" (result: iteration {k})" : "")}</p>");
        if (c.Failure is { } failure)
            html.Append($"<p id=\"failure\">Failed: {E(failure)}</p>");
        Iterations(html, c);
        if (c.Sensitivity is { } s)
            Sensitivity(html, s);
        if (c.Job is { } job)
            html.Append($"<h2>Job</h2><p id=\"job\">{E(job.Key.GrainKey)}: {job.State} on {E(job.Silo ?? "no silo yet")}, attempt {job.Attempts}")
                .Append(job.Progress is { } p ? $", {p.Fraction:P0} ({E(p.Message)}){(p.Eta is { } eta ? $", ETA {Duration(eta)}" : "")}" : "")
                .Append(job.Error is { } error ? $"; last error: {E(error)}" : "").Append("</p>");
        Layers(html, table);
        return End(html);
    }

    public static string Unknown(string id) =>
        End(Begin("Unknown campaign", refresh: false).Append($"<h1>Unknown campaign</h1><p id=\"error\">No campaign has the id '{E(id)}'.</p>"));

    private static void Iterations(StringBuilder html, CampaignStatus c)
    {
        html.Append("<h2>Iterations</h2><table id=\"iterations\"><thead><tr><th>iteration</th><th class=\"l\">phase</th><th>input mAP@.5</th><th>input GFLOPs</th>")
            .Append("<th class=\"l\">selected layers</th><th>pruned GFLOPs</th><th>fine-tuned mAP@.5</th><th>sensitivity (s)</th><th>fine-tune (s)</th></tr></thead><tbody>");
        if (c.Baseline is { } b)
            html.Append($"<tr><td>base</td><td class=\"l\">measured</td><td>{F(b.Map50)}</td><td>{F(b.Gflops, 2)}</td><td class=\"l\"></td><td></td><td></td><td></td><td></td></tr>");
        foreach (var i in c.Iterations)
        {
            var phase = i.Number == c.Iteration && !c.Ended ? c.Phase.ToString()
                : i.FineTuned is not null ? "fine-tuned" : i.Pruned is not null ? "pruned" : i.Selected ? "selected" : "sensitivity";
            var selection = string.Join(", ", i.Selection.Select(l => $"{l.Layer}@{l.Rate.ToString(CultureInfo.InvariantCulture)}"));
            html.Append($"<tr><td>{i.Number}</td><td class=\"l\">{phase}</td><td>{F(i.Input.Map50)}</td><td>{F(i.Input.Gflops, 2)}</td><td class=\"l\">{E(selection)}</td>")
                .Append($"<td>{(i.Pruned is { } p ? F(p.Gflops, 2) : "")}</td><td>{(i.FineTuned is { } t ? F(t.Map50) : "")}</td>")
                .Append($"<td>{(i.SensitivitySeconds is { } ss ? F(ss, 0) : "")}</td><td>{(i.FineTuneSeconds is { } ft ? F(ft, 0) : "")}</td></tr>");
        }
        html.Append("</tbody></table>");
    }

    private static void Sensitivity(StringBuilder html, IterationStatus s)
    {
        html.Append($"<h2>Sensitivity</h2><p id=\"sensitivity\">{s.Done} of {s.Total} evaluations done, {s.Waiting} waiting, {s.Leases.Length} running; ")
            .Append($"{F(s.EvaluationsPerSecond * 60, 1)} per minute, ETA {(s.Eta is { } eta ? Duration(eta) : "unknown")}")
            .Append(s.Failed.IsEmpty ? "" : $"; {s.Failed.Length} failed").Append("</p>");
        var running = s.Leases.GroupBy(l => l.Silo).ToDictionary(g => g.Key, g => g.Count());
        html.Append("<table id=\"silos\"><thead><tr><th class=\"l\">silo</th><th>done</th><th>share of total</th><th>running</th></tr></thead><tbody>");
        foreach (var silo in s.DonePerSilo.Keys.Union(running.Keys).Order(StringComparer.Ordinal))
        {
            var done = s.DonePerSilo.GetValueOrDefault(silo);
            html.Append($"<tr><td class=\"l\">{E(silo)}</td><td>{done}/{s.Total}</td><td>{(s.Total > 0 ? (double)done / s.Total : 0):P0}</td><td>{running.GetValueOrDefault(silo)}</td></tr>");
        }
        html.Append("</tbody></table>");
        foreach (var f in s.Failed)
            html.Append($"<p class=\"failed\">{E(f.Key.GrainKey)} failed {f.Attempts} times: {E(f.Error)}</p>");
    }

    private static void Layers(StringBuilder html, CampaignTable? table)
    {
        if (table is null)
        {
            html.Append("<h2>Ranked layers</h2><p id=\"no-table\" class=\"muted\">No sensitivity results yet.</p>");
            return;
        }
        html.Append($"<h2>Ranked layers, iteration {table.Iteration}</h2><p id=\"table-state\">{table.Done} of {table.Total} variants")
            .Append(table.Selected ? ", selection made (selected rows highlighted)" : table.Complete ? ", complete" : ", partial: the ranking fills in as results arrive").Append("</p>")
            .Append("<table id=\"layers\"><thead><tr><th>rank</th><th>layer</th><th>rate</th><th>mAP@.5</th><th>mAP@.5:.95</th><th>ΔmAP</th><th>params removed</th><th>GFLOPs removed</th><th>score</th><th>selected</th></tr></thead><tbody>");
        foreach (var (row, rank) in table.Rows.Select((r, i) => (r, i + 1)))
            html.Append($"<tr{(row.Selected ? " class=\"selected\"" : "")}><td>{rank}</td><td>{row.Layer}</td><td>{row.Rate.ToString(CultureInfo.InvariantCulture)}</td>")
                .Append($"<td>{F(row.Map50)}</td><td>{F(row.Map)}</td><td>{F(row.DeltaMap)}</td><td>{row.ParamsRemoved.ToString("N0", CultureInfo.InvariantCulture)}</td>")
                .Append($"<td>{F(row.GflopsRemoved, 3)}</td><td>{F(row.Score)}</td><td>{(row.Selected ? "yes" : "")}</td></tr>");
        html.Append("</tbody></table>");
    }

    private static StringBuilder Begin(string title, bool refresh) =>
        new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append(refresh ? "<meta http-equiv=\"refresh\" content=\"3\">" : "")
            .Append($"<title>{E(title)}</title><style>{Style}</style></head><body>")
            .Append("<p><a href=\"/campaigns\">campaigns</a> · <a href=\"/dashboard/\">Orleans dashboard</a> · <a href=\"/api/campaigns\">JSON</a></p>");

    private static string End(StringBuilder html) => html.Append("</body></html>").ToString();

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Url(string id) => Uri.EscapeDataString(id);

    private static string F(double value, int digits = 4) => value.ToString("F" + digits, CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}h {t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m {t.Seconds:00}s" : $"{t.TotalSeconds:F0}s";
}
