using static TorchSharp.torch;

namespace PruneCluster.Engine.Training.Optim;

/// <summary>
/// torch.optim.SGD with <c>nesterov=True</c> and dampening 0, as YOLOv7 builds it, over <see cref="ParameterGroups"/>.
/// Written out (a few tensor ops per parameter) rather than wrapping TorchSharp's optimizer so that the state — the
/// momentum buffers, each group's lr, momentum and weight decay — can be saved and restored exactly in the layout of a
/// PyTorch optimizer state_dict, which <c>--resume</c> and YOLOv7-format checkpoints need.
/// </summary>
public sealed class NesterovSgd : IDisposable
{
    private readonly Group[] groups;
    private readonly Dictionary<string, Tensor> buffers = [];

    public NesterovSgd(ParameterGroups parameters, double lr, double momentum, double weightDecay)
    {
        // Group 1 (conv weights) alone decays, as train.py's add_param_group({'params': pg1, 'weight_decay': …}).
        groups = parameters.All.Select((members, i) => new Group(members, lr, momentum, i == 1 ? weightDecay : 0, InitialLr: lr)).ToArray();
    }

    /// <summary>The groups in order (0 no decay, 1 decay, 2 biases); lr and momentum are set by the schedule.</summary>
    public IReadOnlyList<Group> Groups => groups;

    /// <summary>Momentum buffers by parameter name (absent until a parameter's first step, as in PyTorch).</summary>
    public IReadOnlyDictionary<string, Tensor> MomentumBuffers => buffers;

    public void SetLearningRate(int group, double lr) => groups[group] = groups[group] with { Lr = lr };

    public void SetMomentum(int group, double momentum) => groups[group] = groups[group] with { Momentum = momentum };

    /// <summary>PyTorch's update: d = g + wd·p; buf = m·buf + d (d itself the first time); d += m·buf; p -= lr·d.</summary>
    public void Step()
    {
        using var _ = no_grad();
        foreach (var group in groups)
        {
            foreach (var (name, parameter) in group.Members)
            {
                if (parameter.grad is not { } grad)
                    continue; // frozen (--freeze) or unused: PyTorch skips parameters without a gradient
                using var scope = NewDisposeScope();
                var step = group.WeightDecay != 0 ? grad.add(parameter, group.WeightDecay) : grad;
                if (group.Momentum != 0)
                {
                    if (buffers.TryGetValue(name, out var buffer))
                        buffer.mul_(group.Momentum).add_(step);
                    else
                        buffers[name] = buffer = step.clone().DetachFromDisposeScope();
                    step = step.add(buffer, group.Momentum);
                }
                parameter.add_(step, -group.Lr);
            }
        }
    }

    public void ZeroGrad()
    {
        foreach (var group in groups)
        {
            foreach (var member in group.Members)
                member.Parameter.grad?.zero_();
        }
    }

    /// <summary>Restores state saved from <see cref="Groups"/> and <see cref="MomentumBuffers"/> (resume).</summary>
    public void Restore(IReadOnlyList<(double Lr, double Momentum, double WeightDecay, double InitialLr)> saved, IReadOnlyDictionary<string, Tensor> momentumBuffers)
    {
        if (saved.Count != groups.Length)
            throw new ArgumentException($"optimizer state has {saved.Count} groups, expected {groups.Length}", nameof(saved));
        for (var i = 0; i < groups.Length; i++)
            groups[i] = groups[i] with { Lr = saved[i].Lr, Momentum = saved[i].Momentum, WeightDecay = saved[i].WeightDecay, InitialLr = saved[i].InitialLr };
        var known = groups.SelectMany(g => g.Members).ToDictionary(m => m.Name, m => m.Parameter);
        foreach (var (name, buffer) in momentumBuffers)
        {
            if (!known.TryGetValue(name, out var parameter) || !parameter.shape.SequenceEqual(buffer.shape))
                throw new ArgumentException($"optimizer state has a momentum buffer for {name} [{string.Join(",", buffer.shape)}] that does not match the model", nameof(momentumBuffers));
            if (buffers.Remove(name, out var old))
                old.Dispose();
            using var scope = NewDisposeScope();
            buffers[name] = buffer.to(parameter.dtype).to(parameter.device).detach().clone().MoveToOuterDisposeScope();
        }
    }

    public void Dispose()
    {
        foreach (var buffer in buffers.Values)
            buffer.Dispose();
        buffers.Clear();
    }

    /// <summary>One parameter group and its current settings.</summary>
    public sealed record Group(IReadOnlyList<NamedParameter> Members, double Lr, double Momentum, double WeightDecay, double InitialLr);
}
