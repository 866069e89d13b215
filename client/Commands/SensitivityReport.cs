using System.Globalization;
using System.Text;
using System.Text.Json;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Sensitivity;
using Spectre.Console;

namespace PruneCluster.Client.Commands;

/// <summary>
/// What <c>sensitivity</c> reports about its whole folder (every layer and rate there, not only this run's):
/// sensitivity.json, sensitivity.csv, the --json document and the printed table, each with the unpruned baseline
/// and the no-op pairs from the folder's analysis.json.
/// </summary>
internal sealed class SensitivityReport(IReadOnlyList<SensitivityResult> results, SensitivityRecord? record)
{
    /// <summary>The report files written into the folder.</summary>
    public static IReadOnlyList<string> FileNames { get; } = ["sensitivity.json", "sensitivity.csv"];

    private IReadOnlyList<double> Rates => results.Select(r => r.Rate).Concat(record?.Rates ?? []).Distinct().Order().ToList();

    private bool IsNoOp(SensitivityResult r) => record?.IsNoOp(r.Layer, r.Rate) ?? false;

    /// <summary>"55 of 55 layers at rate 0.25, …": how complete the folder is, per rate.</summary>
    public string Coverage()
    {
        var layers = record?.PrunableLayers;
        return string.Join(", ", Rates.Select(rate =>
            $"{results.Count(r => r.Rate.Equals(rate))}{(layers is { } n ? $" of {n}" : "")} layers at rate {PythonRepr.Float(rate)}"));
    }

    /// <summary>Writes sensitivity.json and sensitivity.csv (atomically); returns every result and report file.</summary>
    public List<string> Write(string dir)
    {
        var json = Path.Combine(dir, FileNames[0]);
        AtomicFile.WriteText(json, JsonSerializer.Serialize(Document(), JsonOutput.Options));
        var csv = new StringBuilder("layer,rate,mp,mr,map50,map,params,gflops,inference_ms,nms_ms,no_op\n");
        if (record?.Baseline is { } b)
            csv.Append(Csv("unpruned", "", b.Mp, b.Mr, b.Map50, b.Map, b.ParamsFused, b.Gflops, "", "", "")).Append('\n');
        foreach (var r in results)
            csv.Append(Csv(r.Layer, r.Rate, r.Mp, r.Mr, r.Map50, r.Map, r.Params, r.Gflops, r.Timing.InferenceMs, r.Timing.NmsMs, IsNoOp(r) ? "true" : "false")).Append('\n');
        var csvPath = Path.Combine(dir, FileNames[1]);
        AtomicFile.WriteText(csvPath, csv.ToString());
        return [.. new SensitivityFolder(dir).ResultFiles(), json, csvPath];
    }

    /// <summary>The --json document: the folder's document plus the files written.</summary>
    public object ToJson(IReadOnlyList<string> files) => new { Document = Document(), Files = files };

    private object Document() => new
    {
        MeasuredWith = record?.Identity,
        record?.Model,
        record?.Data,
        record?.ToolVersion,
        Rates,
        record?.PrunableLayers,
        Coverage = Coverage(),
        Baseline = record?.Baseline,
        NoOps = record?.NoOps ?? [],
        Results = results.Select(r => new
        {
            r.Layer, r.Rate, r.Mp, r.Mr, r.Map50, r.Map, Maps = r.PerClassMaps, r.Params, r.Gflops,
            SpeedMs = new[] { r.Timing.InferenceMs, r.Timing.NmsMs, r.Timing.TotalMs },
            NoOp = IsNoOp(r),
        }),
    };

    private static string Csv(params object[] values) =>
        string.Join(",", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));

    /// <summary>The summary table: mAP per layer and rate, the unpruned row first, no-ops marked.</summary>
    public void Render()
    {
        var rates = Rates;
        var baseline = record?.Baseline;
        var table = new Table().RoundedBorder().Title("mAP@.5:.95 with one layer pruned");
        table.AddColumn("layer");
        foreach (var rate in rates)
            table.AddColumn(new TableColumn($"rate {PythonRepr.Float(rate)}").RightAligned());
        if (baseline is not null)
            table.AddRow(["unpruned", .. rates.Select(_ => F4(baseline.Map))]);
        foreach (var layer in results.GroupBy(r => r.Layer).OrderBy(g => g.Key))
        {
            table.AddRow([layer.Key.ToString(CultureInfo.InvariantCulture), .. rates.Select(rate =>
                layer.FirstOrDefault(r => r.Rate.Equals(rate)) is { } r ? F4(r.Map) + (IsNoOp(r) ? " (no-op)" : "") : "-")]);
        }
        AnsiConsole.Write(table);
        if (baseline is not null)
            Console.Out.WriteLine($"unpruned: mAP {F4(baseline.Map)}, {baseline.ParamsFused.ToString(CultureInfo.InvariantCulture)} params (fused), {baseline.Gflops.ToString("0.###", CultureInfo.InvariantCulture)} GFLOPs at img {record!.Identity.Img}");
        Console.Out.WriteLine($"folder holds {Coverage()}");
    }

    private static string F4(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
