using System.Globalization;
using System.Text;
using PruneCluster.Engine.Checkpoints;
using ScottPlot;

namespace PruneCluster.Engine.Training;

/// <summary>
/// A training run's folder, laid out like YOLOv7's <c>runs/train/NAME</c>: <c>weights/last.pt</c>,
/// <c>weights/best.pt</c>, <c>weights/last.state.pt</c> (for <c>--resume</c>), <c>results.csv</c>, <c>results.png</c>
/// and <c>run.json</c> (what the run was started with, which <c>--resume</c> reads back).
/// </summary>
public sealed class TrainingRunFolder(string path, string runJson)
{
    private static readonly string[] Columns =
        ["epoch", "train/box_loss", "train/obj_loss", "train/cls_loss", "train/total_loss", "metrics/precision", "metrics/recall",
         "metrics/mAP_0.5", "metrics/mAP_0.5:0.95", "fitness", "x/lr0", "x/lr1", "x/lr2", "seconds", "images"];

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>The run's settings as JSON (stored in run.json and in the resume state).</summary>
    public string RunJson { get; } = runJson;

    public string LastPath => System.IO.Path.Combine(Path, "weights", "last.pt");
    public string BestPath => System.IO.Path.Combine(Path, "weights", "best.pt");
    public string StatePath => System.IO.Path.Combine(Path, "weights", "last.state.pt");
    public string ResultsPath => System.IO.Path.Combine(Path, "results.csv");
    public string PlotPath => System.IO.Path.Combine(Path, "results.png");
    public string RunPath => System.IO.Path.Combine(Path, "run.json");

    /// <summary>Rows already in results.csv (empty when there is none).</summary>
    public IReadOnlyList<EpochResult> ReadResults()
    {
        if (!File.Exists(ResultsPath))
            return [];
        try
        {
            return File.ReadLines(ResultsPath).Skip(1).Where(l => l.Length > 0).Select(ParseRow).ToList();
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException($"{ResultsPath} is damaged ({e.Message}); restore it or start a new run with another --name", e);
        }
    }

    public void WriteResults(IReadOnlyList<EpochResult> rows)
    {
        var text = new StringBuilder(string.Join(",", Columns)).Append('\n');
        foreach (var r in rows)
        {
            text.AppendJoin(",", new[]
            {
                r.Epoch.ToString(CultureInfo.InvariantCulture), N(r.Box), N(r.Obj), N(r.Cls), N(r.Total), N(r.Precision), N(r.Recall),
                N(r.Map50), N(r.Map), N(r.Fitness), N(r.LearningRates[0]), N(r.LearningRates[1]), N(r.LearningRates[2]),
                N(r.Seconds), r.Images.ToString(CultureInfo.InvariantCulture),
            }).Append('\n');
        }
        AtomicFile.Write(ResultsPath, s => s.Write(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public void WriteRunJson() => AtomicFile.Write(RunPath, s => s.Write(Encoding.UTF8.GetBytes(RunJson)));

    /// <summary>results.png: the three training losses and P, R, mAP@.5, mAP@.5:.95 per epoch.</summary>
    public void WritePlots(IReadOnlyList<EpochResult> rows)
    {
        if (rows.Count == 0)
            return;
        var multiplot = new Multiplot();
        multiplot.AddPlots(7);
        var series = new (string Title, Func<EpochResult, double?> Value)[]
        {
            ("box loss", r => r.Box), ("objectness loss", r => r.Obj), ("class loss", r => r.Cls),
            ("precision", r => r.Precision), ("recall", r => r.Recall), ("mAP@0.5", r => r.Map50), ("mAP@0.5:0.95", r => r.Map),
        };
        for (var i = 0; i < series.Length; i++)
        {
            var plot = multiplot.GetPlot(i);
            var points = rows.Where(r => series[i].Value(r) is not null).ToList();
            if (points.Count > 0)
                plot.Add.ScatterLine(points.Select(r => (double)r.Epoch).ToArray(), points.Select(r => series[i].Value(r)!.Value).ToArray());
            plot.Title(series[i].Title);
            plot.XLabel("epoch");
        }
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(2, 4);
        Plots.InvariantPng.Save(multiplot, PlotPath, 1600, 700);
    }

    // Round-trip precision: a resumed run reads the rows back and rewrites them, and the total loss and fitness it
    // recomputes from them must come out as they were written.
    private static string N(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static EpochResult ParseRow(string line)
    {
        var f = line.Split(',');
        double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        double? O(int i) => f[i].Length == 0 ? null : D(i);
        return new EpochResult(int.Parse(f[0], CultureInfo.InvariantCulture), D(1), D(2), D(3), O(5), O(6), O(7), O(8),
            [D(10), D(11), D(12)], D(13), int.Parse(f[14], CultureInfo.InvariantCulture));
    }
}
