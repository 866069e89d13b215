using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Models;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Evaluation;

/// <summary>
/// One evaluation of the trained bccd model, loaded and fused as the paper's test.py does, shared by the tests
/// that inspect its result (an evaluation costs tens of seconds on a loaded CPU).
/// </summary>
public sealed class BccdEvaluationFixture : IDisposable
{
    public BccdEvaluationFixture()
    {
        Loaded = ModelFile.Load(BccdGolden.Weights);
        Loaded.Model.Fuse();
        Data = DataYaml.Load(BccdGolden.DataYaml);
        Set = ValidationSet.Load(Data, "val", BccdGolden.ImageSize, BccdGolden.BatchSize, ModelEvaluator.GridSize(Loaded.Model), options: TestImageCache.Options);
        Progress = [];
        Result = ModelEvaluator.Evaluate(Loaded.Model, Set, new EvaluationOptions(), new ListProgress(Progress));
    }

    public LoadedModel Loaded { get; }

    public DataYaml Data { get; }

    public ValidationSet Set { get; }

    public EvaluationResult Result { get; }

    /// <summary>Every progress report, in order.</summary>
    public List<EvaluationProgress> Progress { get; }

    public void Dispose()
    {
        Set.Dispose();
        Loaded.Dispose();
    }

    private sealed class ListProgress(List<EvaluationProgress> reports) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) => reports.Add(value);
    }
}
