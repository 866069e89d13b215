using PruneCluster.Engine.Data;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Runtime;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Pruning;

/// <summary>A pruning chosen once, written as data and replayed: what a sensitivity variant measured is what prune keeps.</summary>
public sealed class PruningPlanFileTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_plan_survives_its_file_and_replays_to_the_same_model()
    {
        using var model = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        using var pruned = ModelBuilder.Copy(model.Model);
        var plan = Pruner.Prune(ConnectivityGraph.Build(pruned), [new LayerRate(3, 0.25), new LayerRate(21, 0.5)], new FilterImportance(Criterion.SmallestL1));
        var path = folder.File("plan.json");

        PruningPlanFile.Write(path, plan);
        var read = PruningPlanFile.Read(path);
        using var replayed = ModelBuilder.Copy(model.Model);
        Pruner.Apply(ConnectivityGraph.Build(replayed), read);

        Assert.Equal(plan.Steps.Select(s => (s.Layer, s.ChannelsBefore, string.Join(',', s.Kept))), read.Steps.Select(s => (s.Layer, s.ChannelsBefore, string.Join(',', s.Kept))));
        var expected = pruned.state_dict();
        foreach (var (name, tensor) in replayed.state_dict())
            Assert.True(tensor.shape.SequenceEqual(expected[name].shape) && tensor.allclose(expected[name], rtol: 0, atol: 0), $"{name} differs");
    }

    [Fact]
    public void Prune_with_the_plan_of_a_sensitivity_variant_keeps_exactly_what_the_variant_measured()
    {
        using var model = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        var data = DataYaml.Load(BccdSlice.Write(folder.Path, 2));
        VariantOutcome outcome;
        using (var evaluator = new VariantEvaluator(model, data, 160, 8, new SensitivityOptions([0.75]), EngineRuntime.ForProcess()))
            outcome = evaluator.Evaluate(14, 0.75);
        var plan = folder.File("variant.json");
        PruningPlanFile.Write(plan, outcome.Plan);

        var run = CliRunner.Run("prune", "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"), "--plan", plan, "--save", folder.File("p.pt"), "--img", "160");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var saved = ModelFile.Load(folder.File("p.pt"));
        var stats = ModelMeasure.Measure(saved.Model, 160);
        Assert.Equal(outcome.Result.Params, stats.ParamsFused);
        Assert.Equal(outcome.Result.Gflops, Math.Round(stats.Gflops, 3));
    }

    [Theory]
    [InlineData("{", "not a pruning plan")]
    [InlineData("{\"format\": \"other\"}", "format is not")]
    [InlineData("{\"format\": \"prunecluster-pruning-plan/1\", \"steps\": [{\"layer\": 3, \"channels_before\": 8, \"kept\": [2, 1]}]}", "kept must be increasing")]
    [InlineData("{\"format\": \"prunecluster-pruning-plan/1\", \"steps\": [{\"layer\": 3, \"channels_before\": 8, \"kept\": [0, 9]}]}", "kept must be increasing")]
    [InlineData("{\"format\": \"prunecluster-pruning-plan/1\", \"steps\": [{\"channels_before\": 8, \"kept\": [0]}]}", "no \"layer\"")]
    public void A_damaged_plan_is_one_line_naming_the_file(string json, string problem)
    {
        var path = folder.File("bad.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<PruningException>(() => PruningPlanFile.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
