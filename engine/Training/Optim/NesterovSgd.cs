using PruneCluster.Engine.Runtime;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Training.Optim;

/// <summary>
/// torch.optim.SGD with <c>nesterov=True</c> and dampening 0, as YOLOv7's train.py builds it by default. Its state is
/// one momentum buffer per parameter (<c>momentum/NAME</c>).
/// </summary>
public sealed class NesterovSgd(ParameterGroups parameters, double lr, double momentum, double weightDecay)
    : TrainingOptimizer(parameters, lr, momentum, weightDecay)
{
    private const string Momentum = "momentum";

    public override string Kind => "sgd";

    /// <summary>Momentum buffers by parameter name.</summary>
    public IReadOnlyDictionary<string, Tensor> MomentumBuffers =>
        State.Where(kv => kv.Key.StartsWith(Momentum + "/", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[(Momentum.Length + 1)..], kv => kv.Value);

    /// <summary>PyTorch's update: d = g + wd·p; buf = m·buf + d (d itself the first time); d += m·buf; p -= lr·d.</summary>
    protected override void Update(Group group, string name, Tensor parameter, Tensor grad)
    {
        using var n = new KeptScalars();
        var step = group.WeightDecay != 0 ? grad.add(parameter, n.Of(group.WeightDecay)) : grad;
        if (group.Momentum != 0)
        {
            if (TryGetState(Momentum, name, out var buffer))
                buffer.mul_(n.Of(group.Momentum)).add_(step, n.One);
            else
                buffer = StateOf(Momentum, name, () => step.clone());
            step = step.add(buffer, n.Of(group.Momentum));
        }
        parameter.add_(step, n.Of(-group.Lr));
    }

    protected override bool StateFits(string kind, Tensor tensor, Tensor parameter) =>
        kind == Momentum && parameter.shape.SequenceEqual(tensor.shape);
}
