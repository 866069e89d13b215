using static TorchSharp.torch;

namespace PruneCluster.Engine.Training.Optim;

/// <summary>
/// What train.py's two optimizers share over <see cref="ParameterGroups"/>: the three groups with their lr, momentum
/// (Adam's beta1) and weight decay (group 1 alone decays, as train.py's <c>add_param_group</c>), and per-parameter
/// state tensors saved and restored exactly for <c>--resume</c>. Written out rather than wrapping TorchSharp's
/// optimizers so that the state is ours to save in a PyTorch-like layout. <see cref="NesterovSgd"/> is the default,
/// <see cref="AdamL2"/> is <c>--adam</c>.
/// </summary>
public abstract class TrainingOptimizer : IDisposable
{
    private readonly Group[] groups;
    private readonly Dictionary<string, Tensor> state = [];

    protected TrainingOptimizer(ParameterGroups parameters, double lr, double momentum, double weightDecay)
    {
        groups = parameters.All.Select((members, i) => new Group(members, lr, momentum, i == 1 ? weightDecay : 0, InitialLr: lr)).ToArray();
    }

    /// <summary>"sgd" or "adam": recorded in the resume state, which only the same kind restores.</summary>
    public abstract string Kind { get; }

    /// <summary>The groups in order (0 no decay, 1 decay, 2 biases); lr and momentum are set by the schedule.</summary>
    public IReadOnlyList<Group> Groups => groups;

    /// <summary>Per-parameter state by key (<c>kind/parameter name</c>), absent until a parameter's first step as in PyTorch.</summary>
    public IReadOnlyDictionary<string, Tensor> State => state;

    public void SetLearningRate(int group, double lr) => groups[group] = groups[group] with { Lr = lr };

    /// <summary>train.py's warm-up sets <c>momentum</c> only on groups that have one (SGD's; Adam's have betas).</summary>
    public virtual void SetMomentum(int group, double momentum) => groups[group] = groups[group] with { Momentum = momentum };

    /// <summary>One update of every parameter that has a gradient (PyTorch skips the others: frozen or unused).</summary>
    public void Step()
    {
        using var _ = no_grad();
        foreach (var group in groups)
        {
            foreach (var (name, parameter) in group.Members)
            {
                if (parameter.grad is not { } grad)
                    continue;
                using var scope = NewDisposeScope();
                Update(group, name, parameter, grad);
            }
        }
    }

    /// <summary>Updates one parameter in place (inside a dispose scope; state made here must leave it).</summary>
    protected abstract void Update(Group group, string name, Tensor parameter, Tensor grad);

    /// <summary>The state tensor <paramref name="kind"/> of parameter <paramref name="name"/>, made by <paramref name="create"/> on first use.</summary>
    protected Tensor StateOf(string kind, string name, Func<Tensor> create)
    {
        var key = $"{kind}/{name}";
        if (!state.TryGetValue(key, out var tensor))
            state[key] = tensor = create().DetachFromDisposeScope();
        return tensor;
    }

    protected bool TryGetState(string kind, string name, out Tensor tensor) => state.TryGetValue($"{kind}/{name}", out tensor!);

    public void ZeroGrad()
    {
        foreach (var group in groups)
        {
            foreach (var member in group.Members)
                member.Parameter.grad?.zero_();
        }
    }

    /// <summary>Restores state saved from <see cref="Groups"/> and <see cref="State"/> (resume).</summary>
    public void Restore(IReadOnlyList<(double Lr, double Momentum, double WeightDecay, double InitialLr)> saved, IReadOnlyDictionary<string, Tensor> savedState)
    {
        if (saved.Count != groups.Length)
            throw new ArgumentException($"optimizer state has {saved.Count} groups, expected {groups.Length}", nameof(saved));
        for (var i = 0; i < groups.Length; i++)
            groups[i] = groups[i] with { Lr = saved[i].Lr, Momentum = saved[i].Momentum, WeightDecay = saved[i].WeightDecay, InitialLr = saved[i].InitialLr };
        var known = groups.SelectMany(g => g.Members).ToDictionary(m => m.Name, m => m.Parameter);
        foreach (var (key, tensor) in savedState)
        {
            var slash = key.IndexOf('/');
            var name = slash < 0 ? "" : key[(slash + 1)..];
            if (!known.TryGetValue(name, out var parameter) || !StateFits(key[..Math.Max(slash, 0)], tensor, parameter))
                throw new ArgumentException($"optimizer state {key} [{string.Join(",", tensor.shape)}] does not match the model's {Kind} optimizer", nameof(savedState));
            if (state.Remove(key, out var old))
                old.Dispose();
            using var scope = NewDisposeScope();
            // Step counts stay on the CPU, where reading them each step costs no device synchronisation.
            var restored = tensor.dtype == ScalarType.Int64 ? tensor.cpu() : tensor.to(parameter.dtype).to(parameter.device);
            state[key] = restored.detach().clone().MoveToOuterDisposeScope();
        }
    }

    /// <summary>Whether a saved state tensor of kind <paramref name="kind"/> belongs to <paramref name="parameter"/>.</summary>
    protected abstract bool StateFits(string kind, Tensor tensor, Tensor parameter);

    public void Dispose()
    {
        foreach (var tensor in state.Values)
            tensor.Dispose();
        state.Clear();
        GC.SuppressFinalize(this);
    }

    /// <summary>One parameter group and its current settings (for Adam, <see cref="Momentum"/> is beta1).</summary>
    public sealed record Group(IReadOnlyList<NamedParameter> Members, double Lr, double Momentum, double WeightDecay, double InitialLr);
}
