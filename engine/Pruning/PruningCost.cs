using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Measures;

namespace PruneCluster.Engine.Pruning;

/// <summary>
/// What removing filters from one layer saves, computed from the graph without touching the model: the layer loses
/// whole filters (weights, bias, batch norm: all proportional to its filter count) and every consumer loses the
/// matching input channels (weights proportional to its input width, plus ImplicitA in front of head convs).
/// Equal to measuring the really pruned model, which a test checks layer by layer.
/// </summary>
public static class PruningCost
{
    public sealed record Saving(long Params, long ParamsFused, double Gflops);

    public static Saving Of(ConnectivityGraph graph, ModelStats baseline, int layer, long removed)
    {
        double parameters = 0, fused = 0, gflops = 0;
        foreach (var member in graph.GroupOf(layer))
        {
            var unit = graph.Layers[member].Unit;
            var share = removed / (double)unit.OutChannels;
            parameters += unit.ParameterCount * share;
            fused += unit.FusedParameterCount * share;
            gflops += baseline.Layers[member].Gflops * share;
            foreach (var group in graph.ConsumersOf(member).GroupBy(c => c.Consumer))
            {
                var consumer = graph.Layers[group.Key];
                var inputShare = removed * group.Count() / (double)consumer.Unit.InChannels;
                var weights = consumer.Unit.FilterWeights.Sum(w => w.numel());
                // Input channels take weights only; biases and batch norms belong to the consumer's outputs.
                parameters += weights * inputShare;
                fused += (consumer.IsHead ? weights : consumer.Unit.FusedParameterCount - consumer.Unit.OutChannels) * inputShare;
                gflops += baseline.Layers[group.Key].Gflops * inputShare;
                if (consumer.IsHead && consumer.Unit.HasInputImplicit)
                {
                    parameters += removed * group.Count();
                    fused += removed * group.Count();
                }
            }
        }
        return new Saving((long)Math.Round(parameters), (long)Math.Round(fused), gflops);
    }
}
