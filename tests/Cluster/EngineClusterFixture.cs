using Orleans.TestingHost;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Grains;
using PruneCluster.Grains.Evaluation;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// Three in-process silos with one slot each evaluating with the engine (each silo its own runtime and per-slot
/// evaluators, as separate processes would), memory storage, an artifact store holding the trained bccd model, and a
/// 12-image slice of bccd val every silo reads.
/// </summary>
public sealed class EngineClusterFixture : IAsyncLifetime
{
    private readonly TempFolder folder = new();

    public EngineClusterFixture()
    {
        Artifacts = new ArtifactStore(folder.File("artifacts"));
        Weights = SharedData.Golden("bccd-yolov7-tiny.pt");
        ModelDigest = Artifacts.Put(Weights);
        DataYaml = BccdSlice.Write(folder.Path, 12);
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Cluster);
            silo.AddEvaluationWorkers(o =>
            {
                o.Devices = ["cpu"];
                o.SlotsPerDevice = 1;
                o.IdlePoll = TimeSpan.FromMilliseconds(20);
                o.RetryDelay = TimeSpan.FromMilliseconds(100);
            });
            silo.AddEngineEvaluator(Artifacts.Root);
        });
        Cluster = builder.Build();
    }

    public InProcessTestCluster Cluster { get; }

    public ArtifactStore Artifacts { get; }

    public string Weights { get; }

    public string ModelDigest { get; }

    public string DataYaml { get; }

    /// <summary>A scratch folder for the test's own files.</summary>
    public string Folder => folder.Path;

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        folder.Dispose();
    }
}
