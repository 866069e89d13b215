namespace PruneCluster.Engine.Models;

/// <summary>A model read from a checkpoint, with what the file said about where it came from.</summary>
/// <param name="ClassNames">Class names stored in the checkpoint, if any.</param>
/// <param name="History">Pruning steps recorded by this tool in earlier runs (empty for official checkpoints).</param>
public sealed record LoadedModel(string Path, YoloModel Model, IReadOnlyList<string>? ClassNames, Pruning.PruningPlan History) : IDisposable
{
    public void Dispose() => Model.Dispose();
}
