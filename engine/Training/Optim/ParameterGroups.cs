using PruneCluster.Engine.Models;
using PruneCluster.Engine.Models.Modules;
using TorchSharp.Modules;

namespace PruneCluster.Engine.Training.Optim;

/// <summary>
/// YOLOv7's three optimizer parameter groups, in train.py's order and with its members in its order:
/// 0 — batch-norm weights and implicit-layer values (no weight decay), 1 — conv weights (weight decay),
/// 2 — biases. The order matters: it is how an optimizer state_dict names parameters (by position), so a checkpoint's
/// optimizer state means the same in YOLOv7's train.py and here.
/// </summary>
/// <param name="NoDecay">Group 0.</param>
/// <param name="Decay">Group 1.</param>
/// <param name="Biases">Group 2.</param>
public sealed record ParameterGroups(
    IReadOnlyList<NamedParameter> NoDecay,
    IReadOnlyList<NamedParameter> Decay,
    IReadOnlyList<NamedParameter> Biases)
{
    /// <summary>The groups in optimizer order.</summary>
    public IReadOnlyList<IReadOnlyList<NamedParameter>> All => [NoDecay, Decay, Biases];

    /// <summary>
    /// Walks the modules like train.py's <c>for k, v in model.named_modules()</c>: a module's own <c>bias</c> goes
    /// to group 2; a BatchNorm2d's weight to group 0, any other module's <c>weight</c> to group 1; a module with
    /// <c>im</c> / <c>ia</c> implicit lists (IDetect) adds their values to group 0, <c>im</c> first. A parameter
    /// this walk does not place is an error rather than a parameter that silently never trains.
    /// </summary>
    public static ParameterGroups Of(YoloModel model)
    {
        List<NamedParameter> noDecay = [], decay = [], biases = [];
        foreach (var (path, module) in ModuleTree.PreOrder(model))
        {
            var own = module.named_parameters(recurse: false).ToDictionary(p => p.name, p => p.parameter);
            var prefix = path.Length == 0 ? "" : path + ".";
            if (own.TryGetValue("bias", out var bias))
                biases.Add(new NamedParameter(prefix + "bias", bias));
            if (own.TryGetValue("weight", out var weight))
                (module is BatchNorm2d ? noDecay : decay).Add(new NamedParameter(prefix + "weight", weight));
            // train.py checks hasattr(v, 'im') before hasattr(v, 'ia').
            foreach (var name in new[] { "im", "ia" })
            {
                if (module.named_children().FirstOrDefault(c => c.name == name).module is ModuleList<Implicit> implicits)
                    noDecay.AddRange(implicits.Select((m, i) => new NamedParameter($"{prefix}{name}.{i}.implicit", (Parameter)m.Value)));
            }
        }

        var placed = noDecay.Concat(decay).Concat(biases).Select(p => p.Name).ToHashSet();
        var missing = model.named_parameters().Select(p => p.name).Where(n => !placed.Contains(n)).ToList();
        if (missing.Count > 0)
            throw new ModelConfigException($"training: no optimizer group for {string.Join(", ", missing.Take(3))} ({missing.Count} parameters); this module type is not trainable here yet");
        return new ParameterGroups(noDecay, decay, biases);
    }
}
