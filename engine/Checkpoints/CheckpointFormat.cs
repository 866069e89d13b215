namespace PruneCluster.Engine.Checkpoints;

/// <summary>What the pickle inside a checkpoint held.</summary>
public enum CheckpointFormat
{
    /// <summary>A pickled <c>nn.Module</c> (e.g. YOLOv7's <c>{'model': Model, 'ema': ...}</c> or <c>torch.save(model)</c>).</summary>
    PickledModel,

    /// <summary>A bare state_dict, or a dict holding one under <c>state_dict</c> / <c>model</c>.</summary>
    StateDict,

    /// <summary>This tool's own format written by <see cref="CheckpointWriter"/> (<c>format = prunecluster/1</c>).</summary>
    PruneCluster,
}
