using System.Collections;
using Razorvine.Pickle.Objects;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// Reads a pickled <c>torch.nn.Module</c> (a Razorvine <see cref="ClassDict"/> holding the module's <c>__dict__</c>)
/// the way <c>Module.state_dict()</c> does, without knowing the module classes.
/// </summary>
internal static class PickledModuleTree
{
    public static bool IsModule(object? value) =>
        value is ClassDict dict && dict.ContainsKey("_modules") && dict.ContainsKey("_parameters");

    /// <summary>
    /// state_dict order: a module's own parameters, then its persistent buffers, then each child in registration
    /// order with a dotted prefix; None entries (e.g. a Conv2d without bias) are skipped, as PyTorch does.
    /// </summary>
    public static List<KeyValuePair<string, object>> StateDict(ClassDict module, string path)
    {
        var entries = new List<KeyValuePair<string, object>>();
        Collect(module, "", entries, 0, path);
        return entries;
    }

    /// <summary>Deeper than any real module tree; a damaged pickle can make a module its own child.</summary>
    private const int MaxDepth = 64;

    /// <summary>A plain attribute of the module (e.g. <c>yaml</c>, <c>pruning_cfg</c>, <c>names</c>), or null.</summary>
    public static object? Attribute(ClassDict module, string name) => module.TryGetValue(name, out var value) ? value : null;

    private static void Collect(ClassDict module, string prefix, List<KeyValuePair<string, object>> entries, int depth, string path)
    {
        if (depth > MaxDepth)
            throw new CheckpointException(path, $"modules are nested more than {MaxDepth} deep (at '{prefix}')", "the file is corrupt; save the checkpoint again");
        foreach (var (name, value) in Entries(module, "_parameters"))
        {
            if (value != null)
                entries.Add(new(prefix + name, value));
        }
        var nonPersistent = module.TryGetValue("_non_persistent_buffers_set", out var set) && set is HashSet<object> names
            ? names
            : [];
        foreach (var (name, value) in Entries(module, "_buffers"))
        {
            if (value != null && !nonPersistent.Contains(name))
                entries.Add(new(prefix + name, value));
        }
        foreach (var (name, child) in Entries(module, "_modules"))
        {
            if (child is ClassDict childModule && IsModule(childModule))
                Collect(childModule, prefix + name + ".", entries, depth + 1, path);
        }
    }

    private static IEnumerable<(string Name, object? Value)> Entries(ClassDict module, string field) =>
        module.TryGetValue(field, out var dict) && dict is Hashtable table
            ? PickledOrderedDict.EntriesOf(table).Select(e => (Convert.ToString(e.Key) ?? "", e.Value))
            : [];
}
