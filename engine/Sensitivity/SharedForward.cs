using PruneCluster.Engine.Models;

namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// What an unpruned forward computes (<see cref="Run"/>) and keeps (<see cref="Keep"/>) so that a set of variants can
/// take it instead of computing it: the unaffected rows some variant's affected rows read, the inputs of the detection levels some variant does not reach
/// (<see cref="LevelShared"/>), and whatever those are computed from. For the first layers that is little.
/// </summary>
internal sealed record SharedForward(bool[] Run, bool[] Keep, bool[] LevelShared)
{
    public static SharedForward For(YoloCfg cfg, int levels, IEnumerable<SensitivityVariant> variants)
    {
        var rows = cfg.Layers;
        var headInputs = rows[^1].ResolvedFrom;
        var keep = new bool[rows.Count];
        var levelShared = new bool[levels];
        foreach (var v in variants)
        {
            for (var i = 1; i < rows.Count - 1; i++)
                if (v.Affected[i])
                    foreach (var f in rows[i].ResolvedFrom.Where(f => !v.Affected[f]))
                        keep[f] = true;
            for (var i = 0; i < levels; i++)
                levelShared[i] |= !v.Affected[headInputs[i]];
        }
        for (var i = 0; i < levels; i++)
            keep[headInputs[i]] |= levelShared[i];
        return new SharedForward(cfg.WithInputs((bool[])keep.Clone()), keep, levelShared);
    }

    /// <summary>Whether the forward computes anything at all (not for variants of the first layers).</summary>
    public bool Any => Run.Any(r => r);
}
