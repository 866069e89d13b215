using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;

namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// What a single-layer variant of the fast mode computes itself: the cfg rows its pruning changes and their unpruned
/// GFLOPs. It depends on the layer only (not on the rate or the filters chosen), so it can be known before anything is
/// evaluated: the local analysis estimates its remaining time from it and the cluster hands out the costliest work first.
/// </summary>
public static class VariantReach
{
    /// <summary>
    /// Per cfg row: whether pruning <paramref name="layer"/> changes an output the evaluation uses — the rows of the
    /// layer's group and every row reading one, directly or not, that the inference output depends on (IAuxDetect's
    /// auxiliary branch is left out). The head row always counts.
    /// </summary>
    public static bool[] AffectedRows(YoloModel model, ConnectivityGraph graph, int layer)
    {
        var rows = model.Cfg.Layers;
        var affected = new bool[rows.Count];
        foreach (var row in graph.GroupOf(layer).Select(i => graph.Layers[i].YamlLayer))
            affected[row] = true;
        // Rows read only from earlier rows, so one forward sweep closes the set.
        for (var i = 1; i < rows.Count; i++)
            affected[i] |= rows[i].ResolvedFrom.Any(f => affected[f]);
        for (var i = 0; i < rows.Count; i++)
            affected[i] &= model.InferenceRows[i];
        affected[^1] = true;
        return affected;
    }

    /// <summary>The unpruned GFLOPs of the affected rows and of the head convs of the levels they feed (auxiliary head convs never run).</summary>
    public static double Gflops(YoloModel model, ModelStats unpruned, bool[] affected)
    {
        var headInputs = model.Cfg.Layers[^1].ResolvedFrom;
        var body = unpruned.Layers.Where(l => !l.IsHead && affected[l.YamlLayer]).Sum(l => l.Gflops);
        var heads = unpruned.Layers.Where(l => l.IsHead).Take(model.Head.Levels)
            .Where((_, level) => affected[headInputs[level]]).Sum(l => l.Gflops);
        return body + heads;
    }

    /// <summary><see cref="Gflops(YoloModel, ModelStats, bool[])"/> of the rows pruning <paramref name="layer"/> affects.</summary>
    public static double Gflops(YoloModel model, ConnectivityGraph graph, ModelStats unpruned, int layer) =>
        Gflops(model, unpruned, AffectedRows(model, graph, layer));
}
