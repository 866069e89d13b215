using System.Diagnostics;
using System.Text.Json;
using PruneCluster.Engine.Selection;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Tests.Support;
using Xunit;

namespace PruneCluster.Tests.Selection;

public sealed class LayerSelectorTests
{
    [Fact]
    public void GoldenCasesReproduceThePapersPrintedListExactly()
    {
        using var cases = JsonDocument.Parse(File.ReadAllText(SharedData.Golden("layer_selection/cases.json")));
        Assert.NotEmpty(cases.RootElement.EnumerateArray());
        foreach (var golden in cases.RootElement.EnumerateArray())
        {
            var table = new SensitivityStore(SharedData.Golden(Path.Combine("layer_selection", golden.GetProperty("dir").GetString()!))).Load();
            var options = new LayerSelectionOptions(
                golden.GetProperty("params").GetInt64(),
                golden.GetProperty("flops").GetDouble(),
                golden.GetProperty("params_layers").GetInt32(),
                golden.GetProperty("flops_layers").GetInt32(),
                golden.GetProperty("params_map").GetDouble(),
                golden.GetProperty("flops_map").GetDouble());
            var selection = LayerSelector.Select(table, options);
            Assert.Equal(golden.GetProperty("expected").GetString(), selection.PaperSyntax);
            Assert.True(selection.ParamsSearch.PaperLoopEnds);
            Assert.True(selection.FlopsSearch.PaperLoopEnds);
        }
    }

    [Fact]
    public void GoldenSelectionTableCarriesMapAndRemovedCountsOfEachPick()
    {
        var table = new SensitivityStore(GoldenSensitivity.Dir).Load();
        var options = new LayerSelectionOptions(6219098, 13.2);
        var selection = LayerSelector.Select(table, options);
        Assert.Equal(selection.FlopsSearch.Picks, selection.Layers.Take(selection.FlopsSearch.Picks.Count).Select(l => (l.Layer, l.Rate)));
        foreach (var row in selection.Layers)
        {
            var result = table.Get(row.Layer, row.Rate);
            Assert.Equal(result.Map, row.Map);
            Assert.Equal(options.BaselineParams - result.Params, row.ParamsRemoved);
            Assert.Equal(options.BaselineGflops - result.Gflops, row.GflopsRemoved);
            var inFlops = selection.FlopsSearch.Picks.Contains((row.Layer, row.Rate));
            var inParams = selection.ParamsSearch.Picks.Contains((row.Layer, row.Rate));
            Assert.Equal(inFlops && inParams ? SelectionTarget.Both : inFlops ? SelectionTarget.Flops : SelectionTarget.Params, row.ChosenFor);
        }
        Assert.InRange(selection.ParamsSearch.Picks.Count, options.ParamsLayers - 1, options.ParamsLayers);
        Assert.InRange(selection.FlopsSearch.Picks.Count, options.FlopsLayers - 1, options.FlopsLayers);
    }

    [Fact]
    public void TiedScoresThatMakeThePapersLoopSpinStillEndWithTheFallbackRule()
    {
        // Ten layers share the best score, so the paper's count jumps from 0 straight to 10 and never lands in [5, 6].
        var table = SyntheticTable(20, layer => layer < 10 ? 1000 : 100, layer => 0.5);
        Assert.Null(LiteralPaperLoop(BestScores(table, 20), 6, stepCap: 1_000_000));

        var watch = Stopwatch.StartNew();
        var selection = LayerSelector.Select(table, new LayerSelectionOptions(Baseline, BaselineGflops, ParamsLayers: 6, FlopsLayers: 5));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.False(selection.ParamsSearch.PaperLoopEnds);
        Assert.Null(selection.ParamsSearch.Frac);
        Assert.Equal(Enumerable.Range(0, 6), selection.ParamsSearch.Picks.Select(p => p.Layer));
        Assert.Equal(Enumerable.Range(0, 5), selection.FlopsSearch.Picks.Select(p => p.Layer));
    }

    [Fact]
    public void TooFewUsableLayersMakeThePapersLoopClimbForeverButOursEnds()
    {
        // Only layers 3, 8 and 15 keep any mAP: no threshold admits the 5 layers the paper needs for 6 wanted.
        var useful = new[] { 3, 8, 15 };
        var table = SyntheticTable(20, layer => 100 + layer, layer => useful.Contains(layer) ? 0.3 : 0);
        Assert.Null(LiteralPaperLoop(BestScores(table, 20), 6, stepCap: 1_000_000));

        var selection = LayerSelector.Select(table, new LayerSelectionOptions(Baseline, BaselineGflops, ParamsLayers: 6, FlopsLayers: 6));
        Assert.False(selection.ParamsSearch.PaperLoopEnds);
        Assert.Equal(useful, selection.ParamsSearch.Picks.Select(p => p.Layer));
        Assert.Equal(useful, selection.Layers.Select(l => l.Layer));
        Assert.All(selection.Layers, l => Assert.Equal(SelectionTarget.Both, l.ChosenFor));
    }

    [Fact]
    public void LongClimbsAreFollowedExactlyWithoutSteppingThroughThem()
    {
        // The 5th best score is a millionth of the best: the paper adds 0.001 to frac about 10^9 times.
        var scores = new[] { 9e5, 7, 5, 3, 1, 0.5, 0.25 };
        var table = SyntheticTable(scores.Length, layer => (long)scores[layer] + 1, layer => 1.0);
        var watch = Stopwatch.StartNew();
        var selection = LayerSelector.Select(table, new LayerSelectionOptions(Baseline, BaselineGflops, ParamsLayers: 6, FlopsLayers: 1, ParamsMap: 0, FlopsMap: 0));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.True(selection.ParamsSearch.PaperLoopEnds);
        Assert.InRange(selection.ParamsSearch.Frac!.Value, 1e5, 1e7);
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, selection.ParamsSearch.Picks.Select(p => p.Layer));
    }

    [Fact]
    public void WhereverTheLiteralPaperLoopEndsOurSearchEndsAtTheSameFrac()
    {
        const int LiteralCap = 50_000;
        var random = new Random(20240630);
        var compared = 0;
        for (var trial = 0; trial < 200; trial++)
        {
            var layers = random.Next(3, 30);
            var reductions = Enumerable.Range(0, layers).Select(_ => (long)random.Next(0, 50_000)).ToArray();
            var maps = Enumerable.Range(0, layers).Select(_ => random.NextDouble() < 0.1 ? 0 : Math.Round(random.NextDouble(), random.Next(2, 6))).ToArray();
            var table = SyntheticTable(layers, layer => reductions[layer], layer => maps[layer]);
            var wanted = random.Next(0, layers + 2);
            var exponent = random.Next(0, 25);
            var literal = LiteralPaperLoop(BestScores(table, layers, exponent), wanted, stepCap: LiteralCap);
            var selection = LayerSelector.Select(table, new LayerSelectionOptions(Baseline, BaselineGflops, wanted, wanted, exponent, exponent));
            if (literal is null)
            {
                // Either the paper never ends, or it ends only after a climb longer than the cap (frac past 2 + cap/1000).
                Assert.True(!selection.ParamsSearch.PaperLoopEnds || selection.ParamsSearch.Frac > 2 + 0.001 * LiteralCap * 0.999, $"trial {trial}");
                continue;
            }
            compared++;
            Assert.True(selection.ParamsSearch.PaperLoopEnds, $"trial {trial}");
            Assert.Equal(literal.Value, selection.ParamsSearch.Frac!.Value);
        }
        Assert.True(compared > 80, $"only {compared} trials ended in the literal loop");
    }

    [Fact]
    public void BaselineBelowTheAnalysedModelIsRejectedNamingTheLine()
    {
        var table = new SensitivityStore(GoldenSensitivity.Dir).Load();
        var error = Assert.Throws<SensitivityDataException>(() => LayerSelector.Select(table, new LayerSelectionOptions(1_000_000, 13.2)));
        Assert.Equal(SensitivityProblem.MixedModels, error.Problem);
        Assert.NotNull(error.Line);
        Assert.Contains("--params", error.Message);
    }

    private const long Baseline = 1_000_000;
    private const double BaselineGflops = 1e4;

    /// <summary>Two rates; at 0.5 each layer removes <paramref name="reduction"/> parameters (and as many MFLOPs), at 0.25 half of it with mAP halved.</summary>
    private static SensitivityTable SyntheticTable(int layers, Func<int, long> reduction, Func<int, double> map)
    {
        var timing = new SensitivityTiming(1, 1, 2, 320, 320, 1);
        var results = Enumerable.Range(0, layers).SelectMany(layer => new[]
        {
            new SensitivityResult(layer, 0.5, 0, 0, 0, map(layer), [], timing, Baseline - reduction(layer), BaselineGflops - reduction(layer) / 1000.0),
            new SensitivityResult(layer, 0.25, 0, 0, 0, map(layer) / 2, [], timing, Baseline - reduction(layer) / 2, BaselineGflops - reduction(layer) / 2000.0),
        });
        return SensitivityTable.FromResults(results);
    }

    /// <summary>Each layer's best parameter score over the rates, as the paper computes it.</summary>
    private static double[] BestScores(SensitivityTable table, int layers, double exponent = 20) =>
        Enumerable.Range(0, layers)
            .Select(layer => table.Rates.Max(rate => ((double)Baseline - table.Get(layer, rate).Params) * Math.Pow(table.Get(layer, rate).Map, exponent)))
            .ToArray();

    /// <summary>
    /// The paper's threshold loop run step by step, as a check on the engine's closed-form walk; null when it has
    /// not ended after <paramref name="stepCap"/> steps (or would divide by zero).
    /// </summary>
    private static double? LiteralPaperLoop(double[] bestScores, int wanted, int stepCap)
    {
        var best = bestScores.Max();
        var frac = 2.0;
        for (var step = 0; step < stepCap; step++)
        {
            if (frac == 0)
                return null;
            var threshold = best / frac;
            var count = 0;
            foreach (var score in bestScores)
            {
                if (score > threshold)
                    count++;
            }
            if (count < wanted - 1)
                frac += 0.001;
            else if (count > wanted)
                frac -= 0.001;
            else
                return frac;
        }
        return null;
    }
}
