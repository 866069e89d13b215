namespace PruneCluster.Engine.Models;

/// <summary>One row of a cfg's backbone/head list: <c>[from, number, module, args]</c>, with its position.</summary>
/// <param name="From">Inputs as written (-1 = previous layer, negative = relative, otherwise absolute).</param>
/// <param name="FromIsList">Whether <c>from</c> was written as a list (Concat, Detect) or a single index.</param>
public sealed record LayerSpec(int Index, IReadOnlyList<int> From, bool FromIsList, int Number, string Module, IReadOnlyList<object?> Args)
{
    /// <summary>Absolute indices of the layers this one reads (-1 only for the network input of layer 0).</summary>
    public IReadOnlyList<int> ResolvedFrom => From.Select(f => f == -1 ? Index - 1 : f < 0 ? Index + f : f).ToList();
}
