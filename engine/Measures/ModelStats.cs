namespace PruneCluster.Engine.Measures;

/// <summary>Size and cost of a model: parameters as it is and once fused, and GFLOPs for one img×img image.</summary>
public sealed record ModelStats(long Params, long ParamsFused, double Gflops, int Img, IReadOnlyList<LayerStats> Layers);
