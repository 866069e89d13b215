using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Training.Optim;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Training;

/// <summary>
/// What <c>--resume</c> needs beyond <c>last.pt</c> (which holds the EMA weights as the model): the trained weights,
/// the EMA's update count, the optimizer's kind and per-parameter state (SGD's momentum buffers, Adam's averages and
/// step counts) and each group's lr / momentum / weight decay, the epoch and the best fitness. One file
/// (<c>weights/last.state.pt</c>), written atomically after every epoch with <c>last.pt</c>; tensors under
/// <c>model/…</c>, <c>ema/…</c> and the optimizer's own keys (<c>momentum/…</c>; <c>exp_avg/…</c>, <c>exp_avg_sq/…</c>, <c>step/…</c>).
/// </summary>
public static class TrainingState
{
    public const string Format = "prunecluster-train-state/1";
    private const string ModelPrefix = "model/", EmaPrefix = "ema/";

    public static void Save(string path, YoloModel model, ModelEma ema, TrainingOptimizer optimizer, int epoch, double bestFitness, string runJson)
    {
        var tensors = StateDict.Ordered(model).Select(kv => new KeyValuePair<string, Tensor>(ModelPrefix + kv.Key, kv.Value))
            .Concat(StateDict.Ordered(ema.Model).Select(kv => new KeyValuePair<string, Tensor>(EmaPrefix + kv.Key, kv.Value)))
            .Concat(optimizer.State);
        CheckpointWriter.Write(path, tensors, new Dictionary<string, object?>
        {
            ["state_format"] = Format,
            ["epoch"] = (long)epoch,
            ["best_fitness"] = bestFitness,
            ["updates"] = ema.Updates,
            ["optimizer"] = optimizer.Kind,
            ["param_groups"] = optimizer.Groups.Select(g => (object?)new List<object?> { g.Lr, g.Momentum, g.WeightDecay, g.InitialLr }).ToList(),
            ["run"] = runJson,
        });
    }

    /// <summary>Restores the state into a model and optimizer built like the saved ones; returns (epoch, best fitness, updates).</summary>
    public static (int Epoch, double BestFitness, long Updates, string RunJson) Restore(string path, YoloModel model, YoloModel emaModel, TrainingOptimizer optimizer)
    {
        using var contents = CheckpointReader.Read(path);
        if (contents.Metadata.GetValueOrDefault("state_format") as string != Format)
            throw new CheckpointException(path, $"is not a {Format} training state", "resume from the run folder that train wrote, or start a new run");
        Dictionary<string, Tensor> Prefixed(string prefix) => contents.StateDict.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        ModelBuilder.CopyWeights(model, Prefixed(ModelPrefix), path);
        ModelBuilder.CopyWeights(emaModel, Prefixed(EmaPrefix), path);
        var groups = (contents.Metadata["param_groups"] as IEnumerable<object?> ?? throw Damaged(path))
            .Select(g => ((IEnumerable<object?>)g!).Select(Convert.ToDouble).ToArray())
            .Select(v => (v[0], v[1], v[2], v[3])).ToList();
        try
        {
            // States written before Adam existed have no "optimizer" key: they are SGD's.
            var kind = contents.Metadata.GetValueOrDefault("optimizer") as string ?? "sgd";
            if (kind != optimizer.Kind)
                throw new ArgumentException($"the run used {kind}, not {optimizer.Kind}");
            optimizer.Restore(groups, contents.StateDict.Where(kv => !kv.Key.StartsWith(ModelPrefix, StringComparison.Ordinal) && !kv.Key.StartsWith(EmaPrefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key, kv => kv.Value));
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException(path, $"does not fit this model's optimizer ({e.Message})", "resume with the run's own weights/last.pt, or start a new run", e);
        }
        return (Convert.ToInt32(contents.Metadata["epoch"]), Convert.ToDouble(contents.Metadata["best_fitness"]),
            Convert.ToInt64(contents.Metadata["updates"]), contents.Metadata["run"] as string ?? throw Damaged(path));
    }

    private static CheckpointException Damaged(string path) =>
        new(path, "is missing the optimizer groups or run settings", "resume from an intact run folder or start a new run");
}
