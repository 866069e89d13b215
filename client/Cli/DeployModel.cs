using System.Text.Json;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;

namespace PruneCluster.Client.Cli;

/// <summary>
/// The model <c>export</c> and <c>benchmark</c> deploy: opened as the model options say, pruned as the pruning
/// options say (on top of any pruning the file carries), then fused as YOLOv7 deploys it.
/// </summary>
public sealed record DeployModel(LoadedModel Loaded, PruningPlan History) : IDisposable
{
    public YoloModel Model => Loaded.Model;

    public static DeployModel Open(PruningSettings settings)
    {
        var loaded = ModelSource.Open(settings);
        try
        {
            var plan = settings.PruneInPlace(loaded.Model);
            PruningSettings.WarnSkipped(plan);
            loaded.Model.Fuse();
            return new DeployModel(loaded, loaded.History.Then(plan));
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>What the model's pruning was, as JSON for the ONNX metadata: the options and each layer's filters before → after.</summary>
    public static string Describe(PruningSettings settings, PruningPlan history) => JsonSerializer.Serialize(new
    {
        pruning_params = settings.PruningParamsText,
        criterion = settings.PruningParamsText == null ? (int?)null : settings.Criterion,
        round_to = settings.RoundTo,
        layers = history.Steps.Select(s => new[] { s.Layer, s.ChannelsBefore, s.Kept.Count }),
    });

    public void Dispose() => Loaded.Dispose();
}
