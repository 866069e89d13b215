using System.Globalization;
using System.Text;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Client.Cluster;

/// <summary>An iteration's ranked layer table as text, CSV or JSON (numbers in the invariant culture).</summary>
public static class LayerTableView
{
    public static readonly string[] Columns = ["rank", "layer", "rate", "map50", "map", "delta_map", "params_removed", "gflops_removed", "score", "selected"];

    public static string Text(CampaignTable table, int? limit = null)
    {
        var text = new StringBuilder();
        text.AppendLine(I, $"iteration {table.Iteration}: {table.Done}/{table.Total} variants{(table.Complete ? "" : " so far")}, ranked by score (GFLOPs removed × mAP^flops_map){(table.Selected ? "; * = selected" : "")}");
        text.AppendLine(I, $"{"#",4} {"layer",5} {"rate",5} {"mAP@.5",8} {"mAP",8} {"ΔmAP",8} {"params -",10} {"GFLOPs -",9} {"score",10}");
        foreach (var (row, rank) in table.Rows.Select((r, i) => (r, i + 1)).Take(limit ?? int.MaxValue))
            text.AppendLine(I, $"{rank,4} {row.Layer,5} {F(row.Rate, "0.00"),5} {F(row.Map50, "0.0000"),8} {F(row.Map, "0.0000"),8} {Signed(row.DeltaMap),8} " +
                $"{row.ParamsRemoved,10:N0} {F(row.GflopsRemoved, "0.000"),9} {F(row.Score, "0.####E+0"),10}{(row.Selected ? " *" : "")}");
        if (limit is { } l && table.Rows.Length > l)
            text.AppendLine(I, $"… {table.Rows.Length - l} more (campaign table shows them all)");
        return text.ToString().TrimEnd();
    }

    public static string Csv(CampaignTable table)
    {
        var text = new StringBuilder(string.Join(",", Columns)).Append('\n');
        foreach (var (row, rank) in table.Rows.Select((r, i) => (r, i + 1)))
            text.Append(string.Join(",", rank, row.Layer, R(row.Rate), R(row.Map50), R(row.Map), R(row.DeltaMap), row.ParamsRemoved,
                R(row.GflopsRemoved), R(row.Score), row.Selected ? "true" : "false")).Append('\n');
        return text.ToString();
    }

    public static object Json(CampaignTable table) => new
    {
        iteration = table.Iteration,
        done = table.Done,
        total = table.Total,
        complete = table.Complete,
        selected = table.Selected,
        rows = table.Rows.Select((r, i) => new
        {
            rank = i + 1, layer = r.Layer, rate = r.Rate, map50 = r.Map50, map = r.Map, delta_map = r.DeltaMap,
            params_removed = r.ParamsRemoved, gflops_removed = r.GflopsRemoved, score = r.Score, selected = r.Selected,
        }),
    };

    private static string F(double value, string format) => value.ToString(format, I);

    // Adding +0.0 turns a change that rounds to −0 into +0: .NET would print "-+0.0000" for it.
    private static string Signed(double value) => (Math.Round(value, 4) + 0.0).ToString("+0.0000;-0.0000", I);

    private static CultureInfo I => CultureInfo.InvariantCulture;

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
