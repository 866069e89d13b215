namespace PruneCluster.Engine.Data;

/// <summary>An image that passed the label checks, with where its labels came from and the labels kept.</summary>
internal sealed record KeptImage(string Path, LabelRead Read, IReadOnlyList<NormalizedLabel> Labels);
