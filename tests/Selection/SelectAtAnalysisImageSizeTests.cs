using System.Text.Json;
using PruneCluster.Client.Cli;
using PruneCluster.Client.Commands;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Tests.Support;
using Spectre.Console.Cli;

namespace PruneCluster.Tests.Selection;

/// <summary>
/// <c>select --weights</c> on an analysis of the trained bccd model at img 320: the baselines are the model's at 320,
/// the size the lines record, not at 640 (issue: a constant 10.5 − 2.6 GFLOPs offset in every reduction).
/// </summary>
public sealed class SelectAtAnalysisImageSizeTests
{
    private const int Img = 320;

    // Every line of a full analysis at 320 with the counts a real pruning gives (PruningCost equals measuring the
    // pruned model, tested elsewhere); mAPs borrowed from the golden analysis, whose model has the same 55 layers.
    private static void WriteBccdStyleAnalysis(string folder, string weights)
    {
        using var loaded = ModelFile.Load(weights);
        var graph = ConnectivityGraph.Build(loaded.Model);
        var baseline = ModelMeasure.Measure(loaded.Model, Img);
        var golden = new SensitivityStore(GoldenSensitivity.Dir).Load();
        foreach (var rate in golden.Rates)
        {
            var lines = Enumerable.Range(0, golden.LayerCount).Select(layer =>
            {
                var channels = graph.Layers[layer].Unit.OutChannels;
                var removed = Pruner.FiltersToRemove(rate, channels);
                var saving = PruningCost.Of(graph, baseline, layer, removed >= channels ? 0 : removed);
                var map = golden.Get(layer, rate).Map;
                return new SensitivityResult(layer, rate, 0.5, 0.5, 0.6, map, [map, map, map], new SensitivityTiming(2, 1, 3, Img, Img, 16),
                    baseline.ParamsFused - saving.ParamsFused, Math.Round(baseline.Gflops - saving.Gflops, 3));
            });
            SensitivityFile.Write(folder, rate, lines);
        }
    }

    private static JsonElement Select(params string[] args)
    {
        var writer = new StringWriter();
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.ConfigureConsole(PlainConsole.Create(writer));
            config.AddCommand<SelectCommand>("select").WithData((Func<string, int, (long Params, double Gflops, int PrunableLayers)>)SelectModelStats.Read);
        });
        Assert.Equal(0, app.Run(["select", .. args, "--json"]));
        return JsonDocument.Parse(writer.ToString()).RootElement;
    }

    [Fact]
    public void WeightsGiveTheBaselinesAtTheImageSizeTheFilesWereMeasuredAt()
    {
        using var folder = new TempFolder();
        var weights = SharedData.Golden("bccd-yolov7-tiny.pt");
        WriteBccdStyleAnalysis(folder.Path, weights);
        using var loaded = ModelFile.Load(weights);
        var at320 = ModelMeasure.Measure(loaded.Model, Img);
        var at640 = ModelMeasure.Measure(loaded.Model, 640);

        var chosen = Select("--output", folder.Path, "--weights", weights);

        Assert.Equal(Img, chosen.GetProperty("img").GetInt32());
        Assert.Equal(Math.Round(at320.Gflops, 3), chosen.GetProperty("baseline_gflops").GetDouble());
        Assert.Equal(at320.ParamsFused, chosen.GetProperty("baseline_params").GetInt64());
        // The same list as with the 320 baselines given explicitly; one layer's pruning never removes most GFLOPs.
        var explicitly = Select("--output", folder.Path, "--params", at320.ParamsFused.ToString(), "--flops", Math.Round(at320.Gflops, 3).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(explicitly.GetProperty("pruning_params").GetString(), chosen.GetProperty("pruning_params").GetString());
        Assert.All(chosen.GetProperty("table").EnumerateArray(), row => Assert.InRange(row.GetProperty("gflops_removed_share").GetDouble(), 0, 0.3));
        // At 640 (the old default) every reduction carries the 640−320 offset: most of the model looks removed.
        var at640Flops = Select("--output", folder.Path, "--params", at320.ParamsFused.ToString(), "--flops", at640.Gflops.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(at640Flops.GetProperty("table").EnumerateArray().Where(r => r.GetProperty("chosen_for").GetString() != "params"),
            row => Assert.True(row.GetProperty("gflops_removed_share").GetDouble() > 0.5));
    }
}
