using PruneCluster.Engine.Models.Modules;

namespace PruneCluster.Engine.Models;

/// <summary>
/// An entry of the paper's conv-layer list: <see cref="Index"/> is the number used by <c>--pruning-params</c>
/// (every Conv and RepConv in PyTorch <c>modules()</c> order, then the detection-head convs).
/// </summary>
/// <param name="YamlLayer">The cfg row that owns the conv.</param>
/// <param name="Path">State-dict prefix of the conv unit, e.g. <c>model.51.cv3</c> or <c>model.77.m.0</c>.</param>
public sealed record ConvLayer(int Index, int YamlLayer, string Path, string Module, IConvUnit Unit, bool IsHead)
{
    public bool IsPrunable => !IsHead;
}
