namespace PruneCluster.Engine.Measures;

/// <summary>One conv layer of the paper's list with its size and cost.</summary>
public sealed record LayerStats(int Index, int YamlLayer, string Path, string Module, long InChannels, long OutChannels, long Params, double Gflops, bool IsHead);
