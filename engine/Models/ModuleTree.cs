using static TorchSharp.torch;

namespace PruneCluster.Engine.Models;

/// <summary>
/// PyTorch's <c>named_modules()</c> order: depth-first, each module before its children. TorchSharp's own
/// <c>named_modules()</c> walks breadth-first, so code that mirrors a Python loop over modules (train.py's
/// optimizer groups, a pickled model) must walk with this instead.
/// </summary>
public static class ModuleTree
{
    public static IEnumerable<(string Path, nn.Module Module)> PreOrder(nn.Module root, string path = "")
    {
        yield return (path, root);
        foreach (var (name, child) in root.named_children())
        {
            foreach (var entry in PreOrder(child, path.Length == 0 ? name : $"{path}.{name}"))
                yield return entry;
        }
    }
}
