namespace PruneCluster.Engine.Export;

/// <summary>What the exported graph looks like and what it records about the model.</summary>
/// <param name="Img">Square input size in pixels (a multiple of the model's largest stride).</param>
/// <param name="Batch">Batch size of the input; ignored with <paramref name="DynamicBatch"/>.</param>
/// <param name="DynamicBatch">The batch dimension is the symbolic <c>batch</c>, so any batch runs.</param>
/// <param name="Decode">Whether the graph ends with the head's decode (one output) or at the raw per-level outputs.</param>
/// <param name="Opset">The default-domain opset the graph is written for.</param>
/// <param name="ClassNames">Class names stored in the metadata (index names when null).</param>
/// <param name="Pruning">The pruning the model carries, in <c>--pruning-params</c> syntax, for the metadata.</param>
public sealed record OnnxExportOptions(
    int Img = 640,
    int Batch = 1,
    bool DynamicBatch = false,
    bool Decode = true,
    int Opset = OnnxExportOptions.DefaultOpset,
    IReadOnlyList<string>? ClassNames = null,
    string Pruning = "")
{
    public const int DefaultOpset = 17;

    /// <summary>The opsets the exporter writes (HardSwish needs 14; ONNX Runtime 1.31 reads up to 21 and beyond).</summary>
    public const int MinOpset = 14, MaxOpset = 21;

    /// <summary>The ONNX IR version that goes with <see cref="Opset"/> (onnx/helper.py's VERSION_TABLE).</summary>
    public long IrVersion => Opset switch { 14 => 7, <= 18 => 8, <= 20 => 9, _ => 10 };
}
