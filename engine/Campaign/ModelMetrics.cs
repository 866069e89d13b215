namespace PruneCluster.Engine.Campaign;

/// <summary>What a campaign knows of one model: its size, its accuracy and where its checkpoint is.</summary>
/// <param name="Params">Parameters of the fused model (as the sensitivity files count them).</param>
/// <param name="Gflops">GFLOPs at the campaign's image size.</param>
/// <param name="Map50">mAP@.5 on the validation split.</param>
/// <param name="Map">mAP@.5:.95 on the validation split.</param>
/// <param name="Checkpoint">The checkpoint (a path, or an artifact id in the cluster).</param>
public sealed record ModelMetrics(long Params, double Gflops, double Map50, double Map, string Checkpoint);
