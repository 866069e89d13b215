using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Tests.Selection;

namespace PruneCluster.Tests.Campaign;

public sealed class CampaignSelectionTests
{
    [Fact]
    public void PaperModeGivesThePapersListWithOneRatePerLayer()
    {
        var table = new SensitivityStore(GoldenSensitivity.Dir).Load();
        var input = new ModelMetrics(6219098, 13.2, 0, 0, "golden");
        // The paper's layer_selection.py prints [(20, 0.75), (21, 0.75), (25, 0.75), (45, 0.75), (46, 0.75), (1, 0.75), (22, 0.75), (24, 0.75)].
        var list = CampaignSelection.Select(new SelectionSpec(), table, input);
        Assert.Equal([1, 20, 21, 22, 24, 25, 45, 46], list.Select(p => p.Layer));
        Assert.All(list, p => Assert.Equal(0.75, p.Rate));
    }

    [Fact]
    public void TargetModeRemovesTheStepFromTheGoldenTable()
    {
        var table = new SensitivityStore(GoldenSensitivity.Dir).Load();
        var baselineMap = table.ForRate(0.25).Max(r => r.Map); // the table's best is at most the unpruned mAP
        var chosen = TargetSelector.Select(table, 13.2, baselineMap, 0.2);
        Assert.True(chosen.Reached);
        Assert.True(chosen.PredictedGflopsRemoved >= 0.2 * 13.2);
        Assert.Equal(chosen.Layers.Select(p => p.Layer).Distinct().Count(), chosen.Layers.Count);
        var sum = chosen.Layers.Sum(p => 13.2 - table.Get(p.Layer, p.Rate).Gflops);
        Assert.Equal(sum, chosen.PredictedGflopsRemoved, 9);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void TargetModeFindsTheLeastLossSetThatReachesTheStep(int seed)
    {
        // Against exhaustive search over every (none | rate) choice for 7 layers × 3 rates.
        var random = new Random(seed);
        const double inputGflops = 10, inputMap = 0.5;
        var results = new List<SensitivityResult>();
        for (var layer = 0; layer < 7; layer++)
        {
            var gflops = inputGflops;
            var map = inputMap + 0.01 * random.NextDouble(); // some pruned layers score higher than the input
            foreach (var rate in new[] { 0.25, 0.5, 0.75 })
            {
                gflops -= random.NextDouble() * 0.8;
                map -= random.NextDouble() * 0.05;
                results.Add(new SensitivityResult(layer, rate, 0, 0, 0, map, [map], new SensitivityTiming(0, 0, 0, 320, 320, 32),
                    1000 - (int)(rate * 100) - layer, gflops));
            }
        }
        var table = SensitivityTable.FromResults(results);
        var step = 0.1 + 0.3 * random.NextDouble();
        var chosen = TargetSelector.Select(table, inputGflops, inputMap, step);

        var best = double.PositiveInfinity;
        var total = (int)Math.Pow(4, 7);
        for (var code = 0; code < total; code++)
        {
            double removed = 0, loss = 0;
            for (int layer = 0, c = code; layer < 7; layer++, c /= 4)
            {
                if (c % 4 == 0)
                    continue;
                var r = table[layer, c % 4 - 1];
                removed += inputGflops - r.Gflops;
                loss += Math.Max(0, inputMap - r.Map);
            }
            // The selector rounds each reduction down to 1/1000 of the target; allow that much slack.
            if (removed >= step * inputGflops * (1 + 7.0 / TargetSelector.Bins))
                best = Math.Min(best, loss);
        }
        Assert.True(chosen.Reached);
        Assert.True(chosen.PredictedGflopsRemoved >= step * inputGflops);
        Assert.True(chosen.PredictedMapLoss <= best + 1e-12, $"chose loss {chosen.PredictedMapLoss}, exhaustive best {best}");
    }

    [Fact]
    public void AnUnreachableStepTakesTheMostItCan()
    {
        var results = new[] { 0.25, 0.5 }.SelectMany(rate => Enumerable.Range(0, 3).Select(layer =>
            new SensitivityResult(layer, rate, 0, 0, 0, 0.4, [0.4], new SensitivityTiming(0, 0, 0, 320, 320, 32), 100 - (int)(rate * 10), 10 - rate)));
        var chosen = TargetSelector.Select(SensitivityTable.FromResults(results), 10, 0.5, 0.9);
        Assert.False(chosen.Reached);
        Assert.Equal([new LayerRate(0, 0.5), new LayerRate(1, 0.5), new LayerRate(2, 0.5)], chosen.Layers);
    }
}
