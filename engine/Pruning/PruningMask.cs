using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models.Modules;

namespace PruneCluster.Engine.Pruning;

/// <summary>
/// Makes an unpruned model compute exactly what the model with some filters of one layer removed computes, without
/// copying or rebuilding anything: the removed filters' outputs are zeroed where their consumers read them. For most
/// consumers that is the layer's own output; a head conv reads it after ImplicitA has added its bias, so the zero
/// goes in front of the head conv too. Disposing the mask restores the model.
/// </summary>
public sealed class PruningMask : IDisposable
{
    private readonly List<IConvUnit> masked = [];

    private PruningMask()
    {
    }

    public static PruningMask Apply(ConnectivityGraph graph, int layer, IReadOnlyCollection<long> removed)
    {
        var mask = new PruningMask();
        try
        {
            foreach (var member in graph.GroupOf(layer))
            {
                var unit = graph.Layers[member].Unit;
                var device = unit.FilterWeights[0].device;
                mask.Set(unit, ChannelMask.Zeroing(unit.OutChannels, removed, device));
                foreach (var use in graph.ConsumersOf(member).Where(u => graph.Layers[u.Consumer].IsHead))
                {
                    var head = graph.Layers[use.Consumer].Unit;
                    var offset = graph.Offset(use.Consumer, use.Slice);
                    mask.Set(head, ChannelMask.Zeroing(head.InChannels, removed.Select(c => c + offset), device));
                }
            }
        }
        catch
        {
            mask.Dispose();
            throw;
        }
        return mask;
    }

    private void Set(IConvUnit unit, ChannelMask channelMask)
    {
        if (unit.Mask != null)
            throw new InvalidOperationException("a conv unit is already masked; dispose the previous PruningMask first");
        unit.Mask = channelMask;
        masked.Add(unit);
    }

    public void Dispose()
    {
        foreach (var unit in masked)
        {
            unit.Mask?.Dispose();
            unit.Mask = null;
        }
        masked.Clear();
    }
}
