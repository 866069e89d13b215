using PruneCluster.Engine.Data;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Runtime;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Sensitivity;

/// <summary>The long-lived evaluator the CLI and the cluster share, against the folder-writing analysis (12 bccd val images at 160 px).</summary>
public sealed class VariantEvaluatorTests : IDisposable
{
    private const int Img = 160;
    private readonly string folder = Directory.CreateTempSubdirectory("prunecluster-ve-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static SensitivityResult WithoutTiming(SensitivityResult r) => r with { Timing = r.Timing with { InferenceMs = 0, NmsMs = 0, TotalMs = 0 } };

    [Theory]
    [InlineData(SensitivityOptions.DefaultActivationCacheBytes)]
    [InlineData(0L)] // nothing kept: every variant computes what it reads
    public void Variants_in_any_order_unannounced_or_asked_again_after_their_rows_were_released_equal_the_analysis(long cacheBytes)
    {
        var data = DataYaml.Load(BccdSlice.Write(folder, 12));
        using var model = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        var layers = new[] { 0, 11, 38, 53 };
        var rates = new[] { 0.25, 0.75 };
        var expected = new SensitivityAnalysis(model, data, Img, 8, new SensitivityOptions(rates, Layers: layers))
            .Run(Path.Combine(folder, "analysis")).ToDictionary(r => (r.Layer, r.Rate));

        using var evaluator = new VariantEvaluator(model, data, Img, 8, new SensitivityOptions(rates, ActivationCacheBytes: cacheBytes), EngineRuntime.ForProcess());
        evaluator.Expect([(11, 0.25), (38, 0.75), (0, 0.25)]);
        // Unannounced first; then announced ones, largest cost first as a cluster hands them out; then one again after
        // its rows were released; then two evaluated together.
        var order = new (int Layer, double Rate)[] { (53, 0.75), (0, 0.25), (38, 0.75), (11, 0.25), (38, 0.75) };
        var results = order.Select(v => evaluator.Evaluate(v.Layer, v.Rate).Result).ToList();
        results.AddRange(evaluator.Evaluate([(11, 0.75), (53, 0.25)]).Select(o => o.Result));

        Assert.Equal(order.Select(v => WithoutTiming(expected[v])).Concat([WithoutTiming(expected[(11, 0.75)]), WithoutTiming(expected[(53, 0.25)])]),
            results.Select(WithoutTiming));
        Assert.All(results, r => Assert.True(r.Timing.InferenceMs > 0 && r.Timing.TotalMs >= r.Timing.InferenceMs));
        Assert.Equal(12, evaluator.Images);
    }

    [Fact]
    public void The_outcome_carries_the_plan_that_replays_the_measured_pruning()
    {
        var data = DataYaml.Load(BccdSlice.Write(folder, 4));
        using var model = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        using var evaluator = new VariantEvaluator(model, data, Img, 8, new SensitivityOptions([0.5]), EngineRuntime.ForProcess());

        var outcome = evaluator.Evaluate(21, 0.5);

        using var replayed = ModelBuilder.Copy(model.Model);
        Pruner.Apply(PruneCluster.Engine.Graph.ConnectivityGraph.Build(replayed), outcome.Plan);
        var stats = PruneCluster.Engine.Measures.ModelMeasure.Measure(replayed, Img);
        Assert.Equal(stats.ParamsFused, outcome.Result.Params);
        Assert.Equal(Math.Round(stats.Gflops, 3), outcome.Result.Gflops);
        Assert.False(outcome.NoOp);
        Assert.Contains(outcome.Plan.Steps, s => s.Layer == 21);
    }

    [Fact]
    public void A_layer_the_model_does_not_have_is_refused()
    {
        var data = DataYaml.Load(BccdSlice.Write(folder, 2));
        using var model = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        using var evaluator = new VariantEvaluator(model, data, Img, 8, new SensitivityOptions([0.5]), EngineRuntime.ForProcess());
        Assert.Contains("0..54", Assert.Throws<PruningException>(() => evaluator.Evaluate(55, 0.5)).Message);
    }
}
