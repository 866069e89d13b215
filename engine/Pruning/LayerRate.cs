namespace PruneCluster.Engine.Pruning;

/// <summary>Prune conv layer <see cref="Layer"/> (the paper's index) at <see cref="Rate"/> (share of filters removed).</summary>
public readonly record struct LayerRate(int Layer, double Rate)
{
    public override string ToString() => $"({Layer}, {Rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)})";
}
