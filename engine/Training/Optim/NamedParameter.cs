using TorchSharp.Modules;

namespace PruneCluster.Engine.Training.Optim;

/// <summary>A trainable tensor and its state_dict key.</summary>
public sealed record NamedParameter(string Name, Parameter Parameter);
