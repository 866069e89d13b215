using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Pruning;

/// <summary>
/// What sensitivity measures for (layer, rate, criterion, seed) is the model <c>prune</c> writes for that layer: the
/// mAP the analysis recorded equals the mAP of the checkpoint the CLI saved, on the trained bccd model (float16, so
/// criterion 0 ranks in float16) and for the random criterion (one generator per layer in both).
/// </summary>
public sealed class RankingAcrossCommandsTests : IDisposable
{
    private const int Img = 160;
    private const int Layer = 25;
    private const double Rate = 0.75;
    private static readonly string Weights = SharedData.Golden("bccd-yolov7-tiny.pt");
    private readonly string folder = Directory.CreateTempSubdirectory("prunecluster-ranking-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(Criterion.SmallestL2, "--importance-precision", "float32")]
    [InlineData(Criterion.Random, "--seed", "4")]
    public void SensitivityMeasuresTheModelPruneWrites(Criterion criterion, string otherOption, string otherValue)
    {
        var data = DataYaml.Load(BccdSlice.Write(folder, 8));
        using var source = ModelFile.Load(Weights);
        var measured = new SensitivityAnalysis(source, data, Img, 8, new SensitivityOptions([Rate], criterion, Seed: 3, Layers: [Layer]))
            .Run(Path.Combine(folder, "sa")).Single();

        var same = MapOfPrunedCheckpoint(data, criterion, "--seed", "3");
        var other = MapOfPrunedCheckpoint(data, criterion, otherOption, otherValue);

        Assert.Equal(measured.Map, same);
        // Another seed (criterion 6) or float32 ranking (criterion 0) removes other filters: the equality above can fail.
        Assert.NotEqual(measured.Map, other);
    }

    [Fact]
    public void ALayerLosesTheSameRandomFiltersWhateverElseTheListPrunes()
    {
        var alone = KeptByPrune($"[({Layer}, {Rate})]", "alone.pt");
        var inList = KeptByPrune($"[(2, 0.5), ({Layer}, {Rate}), (40, 0.5)]", "list.pt");
        Assert.Equal(alone[Layer], inList[Layer]);
        Assert.Equal(3, inList.Count);
    }

    private Dictionary<int, IReadOnlyList<long>> KeptByPrune(string list, string name)
    {
        var saved = Path.Combine(folder, name);
        var result = CliRunner.Run("prune", "--weights", Weights, "--pruning-params", list, "--criterion", "6", "--seed", "3", "--save", saved);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var pruned = ModelFile.Load(saved);
        return pruned.History.Steps.ToDictionary(s => s.Layer, s => s.Kept);
    }

    // Evaluated exactly as the naive sensitivity mode evaluates a variant (which the fast mode equals).
    private double MapOfPrunedCheckpoint(DataYaml data, Criterion criterion, string option, string value)
    {
        var saved = Path.Combine(folder, $"pruned-{Guid.NewGuid():N}.pt");
        var result = CliRunner.Run("prune", "--weights", Weights, "--pruning-params", $"[({Layer}, {Rate})]",
            "--criterion", ((int)criterion).ToString(System.Globalization.CultureInfo.InvariantCulture), option, value, "--save", saved);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var pruned = ModelFile.Load(saved);
        using var set = ValidationSet.Load(data, "val", Img, 8, ModelEvaluator.GridSize(pruned.Model), options: new ValidationSetOptions());
        return ModelEvaluator.Evaluate(pruned.Model.Fuse(), set, new EvaluationOptions { MeasureModel = false }).Metrics.Map;
    }
}
