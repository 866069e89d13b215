namespace PruneCluster.Engine.Graph;

/// <summary>Conv layer <see cref="Consumer"/> reads a producer's whole output as slice <see cref="Slice"/> of its input.</summary>
public readonly record struct Consumption(int Consumer, int Slice);
