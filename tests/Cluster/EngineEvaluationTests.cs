using System.Collections.Immutable;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Runtime;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Evaluation;

namespace PruneCluster.Tests.Cluster;

/// <summary>The engine-backed evaluator in a three-silo cluster against the local <c>sensitivity</c> analysis.</summary>
public sealed class EngineEvaluationTests(EngineClusterFixture fixture) : IClassFixture<EngineClusterFixture>
{
    private const int Img = 160;
    private const int Batch = 8;
    private static readonly int[] Layers = [0, 11, 38, 53];
    private static readonly double[] Rates = [0.25, 0.75];

    private EvaluationSpec Spec(string? dataDigest = null, string? modelDigest = null) =>
        new(modelDigest ?? fixture.ModelDigest, dataDigest ?? DatasetDigest.Of(DataYaml.Load(fixture.DataYaml), "val"), Img, Batch, Criterion: 0, Seed: 0,
            DataYaml: fixture.DataYaml, Rates: [.. Rates], Layers: [.. Layers]);

    private ImmutableArray<VariantTask> Tasks(string campaign, EvaluationSpec spec) =>
        [.. Layers.SelectMany(layer => Rates.Select(rate => new VariantTask(new VariantKey(campaign, 0, layer, rate), Cost: 100 - layer, spec)))];

    // The local command's analysis of the same variants, read back from the paper-format files it writes.
    private Dictionary<(int, double), SensitivityResult> LocalAnalysis(string name)
    {
        var output = Path.Combine(fixture.Folder, name);
        using var model = ModelFile.Load(fixture.Weights);
        new SensitivityAnalysis(model, DataYaml.Load(fixture.DataYaml), Img, Batch, new SensitivityOptions(Rates, Layers: Layers)).Run(output);
        return new SensitivityFolder(output).ReadResults();
    }

    private static void AssertSameNumbers(SensitivityResult expected, VariantResult actual)
    {
        var where = $"layer {expected.Layer} rate {expected.Rate}";
        Assert.True(expected.Mp == actual.Mp && expected.Mr == actual.Mr && expected.Map50 == actual.Map50 && expected.Map == actual.Map, $"{where}: metrics differ");
        Assert.True(expected.PerClassMaps.SequenceEqual(actual.PerClassMaps), $"{where}: per-class maps differ");
        Assert.Equal(expected.Params, actual.Params);
        Assert.Equal(expected.Gflops, actual.Gflops);
    }

    [Fact]
    public async Task An_iteration_evaluated_on_three_silos_equals_the_local_sensitivity_command_number_for_number()
    {
        var tasks = Tasks("engine", Spec());
        var iteration = await IterationRun.Open(fixture.Cluster.Client, tasks, TimeSpan.FromSeconds(60));
        var status = await IterationRun.WaitFor(iteration, s => s.Complete, TimeSpan.FromSeconds(300));
        var results = await iteration.GetResults();
        var local = LocalAnalysis("local");

        Assert.Equal(tasks.Select(t => t.Key), results.Select(r => r.Key));
        Assert.Equal(Layers.Length * Rates.Length, local.Count);
        foreach (var result in results)
            AssertSameNumbers(local[(result.Key.Layer, result.Key.Rate)], result);
        Assert.True(status.DonePerSilo.Count >= 2, $"work went to {status.DonePerSilo.Count} silo(s) only");
        Assert.Contains(results, r => r.Map < local.Values.Max(l => l.Map) - 0.01); // the variants really differ
        // Each result carries the evaluator's own per-image times, which the exported sensitivity files' speed tuple shows.
        Assert.All(results, r => Assert.True(r.InferenceMs > 0 && r.NmsMs > 0, $"{r.Key}: {r.InferenceMs} / {r.NmsMs} ms"));
        var line = PruneCluster.Grains.Campaigns.CampaignModels.ToSensitivityResult(results[0], new PruneCluster.Engine.Campaign.SensitivitySpec(Img: 64, Batch: 8));
        Assert.Equal((results[0].InferenceMs, results[0].NmsMs, results[0].InferenceMs + results[0].NmsMs, 64, 8),
            (line.Timing.InferenceMs, line.Timing.NmsMs, line.Timing.TotalMs, line.Timing.ImageHeight, line.Timing.BatchSize));
    }

    [Fact]
    public async Task Silos_whose_data_differ_from_the_campaigns_hand_the_work_back_and_record_nothing()
    {
        var other = BccdSliceWithOtherImages();
        var tasks = Tasks("other-data", Spec(dataDigest: DatasetDigest.Of(DataYaml.Load(other), "val")));
        var iteration = await IterationRun.Open(fixture.Cluster.Client, tasks, TimeSpan.FromSeconds(60));

        // Every slot leases once, refuses and hands the lease back: nothing held, nothing done.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var status = await iteration.GetStatus();
        Assert.Equal(0, status.Done);
        Assert.Empty(status.Leases);
        Assert.Equal(tasks.Length, status.Waiting);
        Assert.Empty(status.Expired);
        Assert.Empty(status.Failed); // a refusal is this silo's problem, not the variant's: no attempt counted against it
    }

    [Fact]
    public void A_refusal_names_the_silo_the_path_and_both_digests()
    {
        var other = DatasetDigest.Of(DataYaml.Load(BccdSliceWithOtherImages()), "val");
        var here = DatasetDigest.Of(DataYaml.Load(fixture.DataYaml), "val");
        using var evaluator = new EngineVariantEvaluator(fixture.Artifacts, EngineRuntime.ForProcess(), "silo-a");
        var task = new VariantTask(new VariantKey("c", 0, 0, 0.5), 1, Spec(dataDigest: other));

        var error = Assert.Throws<EvaluationRefusedException>(() => evaluator.Evaluate(task, new DeviceSlot("cpu", 0), CancellationToken.None));

        Assert.Contains("silo-a", error.Message);
        Assert.Contains(fixture.DataYaml, error.Message);
        Assert.Contains(other, error.Message);
        Assert.Contains(here, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_model_missing_from_the_artifact_store_is_refused_naming_the_digest_and_the_store()
    {
        var missing = "sha256:" + new string('0', 64);
        using var evaluator = new EngineVariantEvaluator(fixture.Artifacts, EngineRuntime.ForProcess(), "silo-b");
        var task = new VariantTask(new VariantKey("c", 0, 0, 0.5), 1, Spec(modelDigest: missing));

        var error = Assert.Throws<EvaluationRefusedException>(() => evaluator.Evaluate(task, new DeviceSlot("cpu", 0), CancellationToken.None));

        Assert.Contains("silo-b", error.Message);
        Assert.Contains(missing, error.Message);
        Assert.Contains(fixture.Artifacts.Root, error.Message);
    }

    // Another copy of "the" data set: the same yaml layout over one image fewer.
    private string BccdSliceWithOtherImages()
    {
        var folder = Directory.CreateDirectory(Path.Combine(fixture.Folder, "other")).FullName;
        return PruneCluster.Tests.Support.BccdSlice.Write(folder, 11);
    }
}
