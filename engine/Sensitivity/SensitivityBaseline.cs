namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// The unpruned model as the analysis evaluated it (same set, image size, NMS and fusing as every line), so a
/// line's drop is read against it.
/// </summary>
/// <param name="Mp">Mean precision.</param>
/// <param name="Mr">Mean recall.</param>
/// <param name="Map50">mAP@0.5.</param>
/// <param name="Map">mAP@0.5:0.95.</param>
/// <param name="Params">Parameter count before fusing.</param>
/// <param name="ParamsFused">Parameter count fused (what the lines' params count).</param>
/// <param name="Gflops">GFLOPs at the analysis image size, rounded like the lines'.</param>
public sealed record SensitivityBaseline(double Mp, double Mr, double Map50, double Map, long Params, long ParamsFused, double Gflops);
