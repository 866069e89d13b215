using System.Globalization;
using System.Text;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Client.Cluster;

/// <summary>The cluster's status for people: aligned tables of silos, slots, queue and jobs (<c>--json</c> prints the record itself).</summary>
public static class ClusterStatusView
{
    public static string Render(ClusterStatus s, string where)
    {
        var slots = s.Silos.SelectMany(silo => silo.Slots).ToList();
        var text = new StringBuilder();
        text.AppendLine($"cluster {where} at {Time(s.Time)} UTC: {Count(s.Silos.Length, "silo")}, {Count(slots.Count, "slot")} ({slots.Count(x => x.Busy)} busy), " +
            $"{Count(s.Queue.Length, "open iteration")}, {Count(s.Jobs.Length, "job")}");
        text.AppendLine();
        text.Append(Table(["silo", "name", "status", "since (UTC)", "devices", "slots"], s.Silos.Select(silo => new[]
        {
            silo.Address, silo.Name, silo.Status, Time(silo.Since),
            silo.Slots.IsEmpty ? "-" : string.Join(",", silo.Slots.Select(x => x.Device).Distinct()),
            silo.ReportAge is null ? "not reported" : silo.Slots.IsEmpty ? "none" : $"{silo.Slots.Length} ({silo.Slots.Count(x => x.Busy)} busy)",
        })));
        if (slots.Count > 0)
        {
            text.AppendLine();
            text.Append(Table(["silo", "slot", "device", "state", "campaign", "iteration", "work", "layer", "rate", "for"],
                s.Silos.SelectMany(silo => silo.Slots.Select(x => x.Activity is { } a
                    ? new[] { silo.Address, $"{x.Index}", x.Device, "busy", a.Campaign, $"{a.Iteration}", a.Work, a.Layer?.ToString(CultureInfo.InvariantCulture) ?? "",
                        a.Rate?.ToString("0.##", CultureInfo.InvariantCulture) ?? "", CampaignView.Duration(a.Elapsed.TotalSeconds) }
                    : [silo.Address, $"{x.Index}", x.Device, "idle", "", "", "", "", "", ""]))));
        }
        text.AppendLine();
        if (s.Queue.IsEmpty)
            text.AppendLine("queue: no open iterations on the work board");
        else
            text.Append(Table(["queue: iteration", "waiting", "leased", "done", "failed", "total"],
                s.Queue.Select(q => new[] { q.Key, $"{q.Waiting}", $"{q.Leased}", $"{q.Done}", $"{q.Failed}", $"{q.Total}" })));
        text.AppendLine();
        if (s.Jobs.IsEmpty)
            text.AppendLine("jobs: none waiting or running");
        else
            text.Append(Table(["jobs: job", "state", "silo", "progress", "for"], s.Jobs.Select(j => new[]
            {
                j.Key.GrainKey, j.State.ToString().ToLowerInvariant(), j.Silo ?? "", j.Progress?.Message ?? "",
                j.State == JobState.Running && j.Started is { } started ? CampaignView.Duration((s.Time - started).TotalSeconds) : "",
            })));
        return text.ToString().TrimEnd();
    }

    // ':' in a custom format is the culture's time separator: the invariant culture keeps it a colon everywhere.
    private static string Time(DateTime t) => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Count(int n, string what) => $"{n} {what}{(n == 1 ? "" : "s")}";

    // Left-aligned columns two spaces apart, numbers right-aligned.
    private static string Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = header.Select((column, c) => all.Max(r => r[c].Length)).ToArray();
        var numeric = header.Select((column, c) => c > 0 && all.Skip(1).All(r => r[c].Length == 0 || double.TryParse(r[c], NumberStyles.Float, CultureInfo.InvariantCulture, out _))).ToArray();
        var text = new StringBuilder();
        foreach (var row in all)
            text.AppendLine(string.Join("  ", row.Select((cell, c) => numeric[c] ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
        return text.ToString();
    }
}
