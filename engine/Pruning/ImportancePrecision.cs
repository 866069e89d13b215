namespace PruneCluster.Engine.Pruning;

/// <summary>The arithmetic filter importances are computed and ordered in.</summary>
public enum ImportancePrecision
{
    /// <summary>
    /// As the paper's <c>prune.py</c>: in the dtype the checkpoint stores (float16 for YOLOv7's own checkpoints, with
    /// PyTorch 1.13's float16 accumulation and <c>torch.argsort</c> tie order), float32 for float32 files.
    /// </summary>
    Stored,

    /// <summary>Always in float32 on the (exactly widened) weights, ordered by libtorch's argsort.</summary>
    Float32,
}
