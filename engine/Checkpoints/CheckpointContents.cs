using TorchSharp;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// Everything read from one checkpoint. Floating tensors are float32 on the CPU, integer and bool tensors keep their
/// dtype (e.g. <c>num_batches_tracked</c> stays int64). The tensors belong to the caller: either keep them, or copy
/// their values into a model and <see cref="Dispose"/> this object.
/// </summary>
/// <param name="Path">The file that was read.</param>
/// <param name="Format">What the pickle held.</param>
/// <param name="ModelKey">The top-level key the weights came from (<c>ema</c>, <c>model</c>, <c>state_dict</c>), or null when the top level itself was the model / state_dict.</param>
/// <param name="StateDict">Flat state_dict in PyTorch order (parameters, then buffers, then children, depth first).</param>
/// <param name="ModelYaml">The model's <c>yaml</c> attribute as plain .NET values (key order not preserved), or null.</param>
/// <param name="PruningCfg">The model's <c>pruning_cfg</c> attribute (the seed's connectivity list) as plain .NET values, or null.</param>
/// <param name="ClassNames">The model's <c>names</c> attribute (class names), or null.</param>
/// <param name="Metadata">The other top-level entries that are plain values (str, int, float, bool, None, list, dict); others are left out.</param>
/// <param name="ModelClass">For a pickled model, its class as <c>module.name</c> (<c>models.yolo.Model</c> for YOLOv7), else null.</param>
/// <param name="StoredFloatType">The dtype the file stores its floating tensors in (float16 for YOLOv7's own checkpoints); float32 when it has none or mixes several.</param>
public sealed record CheckpointContents(
    string Path,
    CheckpointFormat Format,
    string? ModelKey,
    IReadOnlyList<KeyValuePair<string, torch.Tensor>> StateDict,
    IReadOnlyDictionary<string, object?>? ModelYaml,
    object? PruningCfg,
    IReadOnlyList<string>? ClassNames,
    IReadOnlyDictionary<string, object?> Metadata,
    torch.ScalarType StoredFloatType = torch.ScalarType.Float32,
    string? ModelClass = null) : IDisposable
{
    /// <summary>Disposes every tensor of <see cref="StateDict"/>.</summary>
    public void Dispose()
    {
        foreach (var entry in StateDict)
            entry.Value.Dispose();
    }
}
