using static TorchSharp.torch;

namespace PruneCluster.Engine.Models;

/// <summary>
/// The state_dict in PyTorch order (each module's own parameters, then its persistent buffers, then its children),
/// which is the order a saved checkpoint should have. TorchSharp's own state_dict lists all parameters first.
/// </summary>
public static class StateDict
{
    public static IReadOnlyList<KeyValuePair<string, Tensor>> Ordered(nn.Module module)
    {
        var entries = new List<KeyValuePair<string, Tensor>>();
        Collect(module, "", entries);
        return entries;
    }

    private static void Collect(nn.Module module, string prefix, List<KeyValuePair<string, Tensor>> entries)
    {
        foreach (var (name, p) in module.named_parameters(recurse: false))
            entries.Add(new(prefix + name, p));
        foreach (var (name, b) in module.named_buffers(recurse: false, include_nonpersistent: false))
            entries.Add(new(prefix + name, b));
        foreach (var (name, child) in module.named_children())
            Collect(child, $"{prefix}{name}.", entries);
    }
}
