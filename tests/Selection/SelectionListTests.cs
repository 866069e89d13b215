using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Selection;
using PruneCluster.Engine.Sensitivity;

namespace PruneCluster.Tests.Selection;

/// <summary>What select prints must be a list prune/test/train accept: one row per layer, never a no-op.</summary>
public sealed class SelectionListTests
{
    private const long Params = 1000;
    private const double Gflops = 10;
    private static readonly SensitivityTiming Timing = new(1, 1, 2, 320, 320, 16);

    private static SensitivityResult Line(int layer, double rate, long parameters, double gflops, double map) =>
        new(layer, rate, 0, 0, 0, map, [map], Timing, parameters, gflops);

    // Layer 0 removes most GFLOPs at 0.25 (its mAP holds) but most parameters at 0.75; layers 1 and 2 matter little.
    private static SensitivityTable TwoRateTable() => SensitivityTable.FromResults(
    [
        Line(0, 0.25, 900, 5.0, 0.5), Line(0, 0.75, 100, 4.9, 0.3),
        Line(1, 0.25, 990, 9.9, 0.1), Line(1, 0.75, 980, 9.8, 0.1),
        Line(2, 0.25, 995, 9.95, 0.1), Line(2, 0.75, 990, 9.9, 0.1),
    ]);

    [Fact]
    public void LayerPickedAtTwoRatesIsMergedAtTheLargerRateAndTheListParsesForPrune()
    {
        var selection = LayerSelector.Select(TwoRateTable(), new LayerSelectionOptions(Params, Gflops, ParamsLayers: 1, FlopsLayers: 1, ParamsMap: 1, FlopsMap: 1));

        Assert.Equal([(0, 0.25)], selection.FlopsSearch.Picks);
        Assert.Equal([(0, 0.75)], selection.ParamsSearch.Picks);
        var row = Assert.Single(selection.Layers);
        Assert.Equal((0, 0.75, SelectionTarget.Both, 0.25), (row.Layer, row.Rate, row.ChosenFor, row.MergedRate));
        Assert.Equal(900, row.ParamsRemoved); // the kept rate's own line
        Assert.Equal("[(0, 0.75)]", selection.PaperSyntax);
        Assert.Single(selection.Merged);
        // The --pruning-params parser that prune, test and train use rejects a layer named twice; this list passes.
        Assert.Equal([new LayerRate(0, 0.75)], PruningParams.Parse(selection.PaperSyntax, 3));
    }

    [Fact]
    public void ExcludedNoOpIsNeverPickedEvenWhenItsScoreIsBest()
    {
        // A no-op line measures the unpruned model: full mAP. With a baseline above the lines' counts (the paper's
        // unfused --params), it scores best of all.
        var table = SensitivityTable.FromResults(
        [
            Line(0, 0.5, 990, 9.9, 0.6), Line(0, 0.99, 990, 9.9, 0.6),
            Line(1, 0.5, 700, 7.0, 0.3), Line(1, 0.99, 500, 5.0, 0.1),
            Line(2, 0.5, 800, 8.0, 0.2), Line(2, 0.99, 600, 6.0, 0.05),
        ]);
        var options = new LayerSelectionOptions(Params, Gflops, ParamsLayers: 1, FlopsLayers: 1, ParamsMap: 20, FlopsMap: 20);
        Assert.Contains(LayerSelector.Select(table, options).Layers, l => l.Layer == 0);

        var selection = LayerSelector.Select(table, options with { Excluded = [(0, 0.5), (0, 0.99)] });

        Assert.DoesNotContain(selection.Layers, l => l.Layer == 0);
        Assert.NotEmpty(selection.Layers);
    }
}
