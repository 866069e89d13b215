using System.Globalization;

namespace PruneCluster.Tests.Checkpoints;

/// <summary>One line of reference/yolov7_cfg/state_dict_keys/*.txt: <c>key \t [d0, d1, ...] \t dtype</c>.</summary>
public sealed record ReferenceStateDictEntry(string Key, long[] Shape, string DType)
{
    public static IReadOnlyList<ReferenceStateDictEntry> Load(string path) =>
        File.ReadLines(path)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(Parse)
            .ToList();

    private static ReferenceStateDictEntry Parse(string line)
    {
        var columns = line.Split('\t');
        var shape = columns[1].Trim('[', ']')
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, CultureInfo.InvariantCulture))
            .ToArray();
        return new ReferenceStateDictEntry(columns[0], shape, columns[2]);
    }
}
