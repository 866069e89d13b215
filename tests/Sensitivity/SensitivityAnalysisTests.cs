using PruneCluster.Client.Cli;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Runtime;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Sensitivity;

/// <summary>Sensitivity analysis on a 12-image slice of bccd val at 160 px with the trained bccd model.</summary>
public sealed class SensitivityAnalysisTests : IDisposable
{
    private const int Img = 160;
    private readonly string folder = Directory.CreateTempSubdirectory("prunecluster-sa-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string SliceOfBccd(int images = 12) => BccdSlice.Write(folder, images);

    private static SensitivityResult WithoutTiming(SensitivityResult r) => r with { Timing = r.Timing with { InferenceMs = 0, NmsMs = 0, TotalMs = 0 } };

    [Fact]
    public void FastAnalysisEqualsTheNaivePaperStyleAnalysis()
    {
        var data = DataYaml.Load(SliceOfBccd());
        using var model = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        // An ELAN branch (2), backbone and neck rows, and the three convs that each feed one detection level (52-54).
        var layers = new[] { 0, 2, 11, 25, 38, 52, 53, 54 };
        var rates = new[] { 0.25, 0.75 };

        var cached = new SensitivityAnalysis(model, data, Img, 8, new SensitivityOptions(rates, Layers: layers));
        var fast = cached.Run(Path.Combine(folder, "fast"));
        var naive = new SensitivityAnalysis(model, data, Img, 8, new SensitivityOptions(rates, Layers: layers, Naive: true)).Run(Path.Combine(folder, "naive"));

        Assert.Equal(layers.Length * rates.Length, fast.Count);
        Assert.Equal(naive.Select(WithoutTiming), fast.Select(WithoutTiming));
        Assert.Contains(fast, r => r.Map < naive.Max(n => n.Map) - 0.01);
        // Both batches kept; the one-image probe sized them exactly (the first variant fills them for all the others).
        Assert.Equal(2, cached.CacheUse!.KeptBatches);
        Assert.Equal(2, cached.CacheUse.Batches);
        Assert.True(cached.CacheUse.PeakBytes > 0);
        Assert.Equal(cached.CacheUse.NeededBytes, cached.CacheUse.PeakBytes);
    }

    [Fact]
    public void FastAnalysisOfAModelWithAnAuxiliaryHeadEqualsNaive()
    {
        // yolov7-w6 (IAuxDetect) with its initial weights and bccd's 3 classes: fast mode leaves the auxiliary branch
        // out, so pruning an auxiliary conv (row 118) changes nothing it computes, and a layer that also feeds the
        // auxiliary branch (row 47) must still give naive's numbers.
        var data = DataYaml.Load(SliceOfBccd(4));
        var cfg = YoloCfg.Resolve("yolov7-w6");
        var raw = new Dictionary<string, object?>(cfg.Raw) { ["nc"] = 3 };
        using var model = new LoadedModel("yolov7-w6 (initial weights)", ModelBuilder.Build(YoloCfg.FromDictionary(raw, "yolov7-w6, nc 3")), null, PruningPlan.Empty);
        var layers = new[] { 47, 114, 118 }.Select(row => model.Model.PrunableLayers.First(l => l.YamlLayer == row).Index).ToList();
        var rates = new[] { 0.5 };

        var fast = new SensitivityAnalysis(model, data, 128, 4, new SensitivityOptions(rates, Layers: layers)).Run(Path.Combine(folder, "w6-fast"));
        var naive = new SensitivityAnalysis(model, data, 128, 4, new SensitivityOptions(rates, Layers: layers, Naive: true)).Run(Path.Combine(folder, "w6-naive"));

        Assert.Equal(naive.Select(WithoutTiming), fast.Select(WithoutTiming));
        Assert.Equal(3, fast.Select(r => r.Params).Distinct().Count());
    }

    [Theory]
    [InlineData(0.0)] // nothing kept: every group of variants recomputes what it reads
    [InlineData(0.5)] // half of what the two batches need: the 4-image batch is kept, the 8-image one is not
    public void FastAnalysisWithLessActivationMemoryGivesTheSameResults(double shareOfFullNeed)
    {
        var data = DataYaml.Load(SliceOfBccd());
        using var model = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        var layers = new[] { 0, 2, 25, 53 };
        var rates = new[] { 0.5 };
        var full = new SensitivityAnalysis(model, data, Img, 8, new SensitivityOptions(rates, Layers: layers));
        var expected = full.Run(Path.Combine(folder, "full"));
        var budget = (long)(full.CacheUse!.NeededBytes * shareOfFullNeed);

        var limited = new SensitivityAnalysis(model, data, Img, 8, new SensitivityOptions(rates, Layers: layers, ActivationCacheBytes: budget, VariantsPerGroup: 3));
        var results = limited.Run(Path.Combine(folder, "limited"));

        Assert.Equal(expected.Select(WithoutTiming), results.Select(WithoutTiming));
        Assert.Equal(shareOfFullNeed == 0 ? 0 : 1, limited.CacheUse!.KeptBatches);
        Assert.True(limited.CacheUse.PeakBytes <= budget, $"peak {limited.CacheUse.PeakBytes} over budget {budget}");
    }

    [Fact]
    public void ReRunSkipsFinishedPairsAndWritesNoDuplicateLines()
    {
        var data = DataYaml.Load(SliceOfBccd(6));
        using var model = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        var output = Path.Combine(folder, "resume");
        new SensitivityAnalysis(model, data, Img, 8, new SensitivityOptions([0.5], Layers: [3])).Run(output);
        var firstLine = File.ReadAllLines(Path.Combine(output, "output_50.txt"))[1];
        var progress = new List<SensitivityProgress>();

        var results = new SensitivityAnalysis(model, data, Img, 8, new SensitivityOptions([0.5], Layers: [3, 7]))
            .Run(output, new SyncProgress<SensitivityProgress>(progress.Add));

        Assert.Equal(1, progress[0].Skipped);
        Assert.Equal([3, 7], results.Select(r => r.Layer));
        var lines = File.ReadAllLines(Path.Combine(output, "output_50.txt"));
        Assert.Equal(["[", firstLine], lines.Take(2));
        Assert.Equal(4, lines.Length);
        Assert.Equal(2, SensitivityFile.Read(Path.Combine(output, "output_50.txt")).Count);
    }

    [Fact]
    public void InterruptedRunKeepsEveryFinishedEvaluationAndTheNextRunCompletesIt()
    {
        var data = DataYaml.Load(SliceOfBccd(6));
        using var model = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        var output = Path.Combine(folder, "interrupted");
        using var cancel = new CancellationTokenSource();
        var options = new SensitivityOptions([0.25, 0.5], Layers: [1, 2, 3]);

        Assert.ThrowsAny<OperationCanceledException>(() => new SensitivityAnalysis(model, data, Img, 8, options)
            .Run(output, new SyncProgress<SensitivityProgress>(p => { if (p.Done - p.Skipped >= 2) cancel.Cancel(); }), cancel.Token));
        var saved = Directory.GetFiles(output, "output_*.txt").Sum(f => SensitivityFile.Read(f).Count);
        Assert.Equal(2, saved);

        var results = new SensitivityAnalysis(model, data, Img, 8, options).Run(output);
        Assert.Equal(6, results.Count);
    }

    [Fact]
    public void ParamsAndGflopsOfEachVariantAreThoseOfTheReallyPrunedModel()
    {
        var data = DataYaml.Load(SliceOfBccd(4));
        using var model = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        var result = new SensitivityAnalysis(model, data, Img, 8, new SensitivityOptions([0.5], Layers: [21])).Run(Path.Combine(folder, "cost")).Single();

        using var copy = ModelBuilder.Copy(model.Model);
        Pruner.Prune(PruneCluster.Engine.Graph.ConnectivityGraph.Build(copy), [new LayerRate(21, 0.5)], new FilterImportance(Criterion.SmallestL2));
        var stats = PruneCluster.Engine.Measures.ModelMeasure.Measure(copy, Img);
        Assert.Equal(stats.ParamsFused, result.Params);
        Assert.Equal(Math.Round(stats.Gflops, 3), result.Gflops);
    }

    [Fact]
    public void ModelWithAnotherClassCountIsRejectedNamingBothFiles()
    {
        var yaml = SliceOfBccd(2);
        using var model = ModelFile.Load(SharedData.Golden("yolov7-tiny-golden.pt"));
        var e = Assert.Throws<EvaluationException>(() =>
            new SensitivityAnalysis(model, DataYaml.Load(yaml), Img, 8, new SensitivityOptions([0.5], Layers: [0])).Run(Path.Combine(folder, "nc")));
        Assert.Contains("80", e.Message);
        Assert.Contains(yaml, e.Message);
    }

    [Fact]
    public void LayersOutsideTheModelAreRejected()
    {
        using var model = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        var analysis = new SensitivityAnalysis(model, DataYaml.Load(SliceOfBccd(2)), Img, 8, new SensitivityOptions([0.5], Layers: [55]));
        Assert.Throws<PruningException>(() => analysis.Plan());
    }
}
