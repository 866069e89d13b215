using TorchSharp;

namespace PruneCluster.Tests.Support;

/// <summary>The state_dict key/shape listings in reference/yolov7_cfg/state_dict_keys.</summary>
public static class ReferenceKeys
{
    public static IReadOnlyList<string> Read(string name) =>
        File.ReadLines(SharedData.Reference($"yolov7_cfg/state_dict_keys/{name}.txt"))
            .Where(l => !l.StartsWith('#') && l.Length > 0)
            .Select(l => l.Split('\t'))
            .Select(p => $"{p[0]} {p[1].Replace(" ", "")}")
            .ToList();

    public static IReadOnlyList<string> Of(torch.nn.Module model) =>
        PruneCluster.Engine.Models.StateDict.Ordered(model).Select(kv => $"{kv.Key} [{string.Join(",", kv.Value.shape)}]").ToList();
}
