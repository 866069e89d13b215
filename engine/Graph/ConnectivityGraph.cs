using System.Runtime.CompilerServices;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Models.Modules;

namespace PruneCluster.Engine.Graph;

/// <summary>
/// The connectivity graph of a model's conv layers, derived by tracing the model's own wiring: for every conv layer,
/// the slices its input is made of (which producer fills each) and, inversely, who consumes each producer and where.
/// Slice sizes are read live from the layers, so the same graph stays valid while the model is being pruned.
/// </summary>
public sealed class ConnectivityGraph
{
    private readonly List<ChannelSources> inputs;
    private readonly List<List<Consumption>> consumers;

    private ConnectivityGraph(YoloModel model, List<ChannelSources> inputs, List<List<Consumption>> consumers, IReadOnlyList<IReadOnlyList<int>> coupled)
    {
        Model = model;
        this.inputs = inputs;
        this.consumers = consumers;
        CoupledGroups = coupled;
    }

    public YoloModel Model { get; }

    public IReadOnlyList<ConvLayer> Layers => Model.ConvLayers;

    /// <summary>Producers of each slice of conv layer <paramref name="layer"/>'s input (-1 = the network input).</summary>
    public IReadOnlyList<int> InputSlices(int layer) => inputs[layer].Segments;

    /// <summary>Every place the output of conv layer <paramref name="layer"/> is read, in trace order.</summary>
    public IReadOnlyList<Consumption> ConsumersOf(int layer) => consumers[layer];

    /// <summary>Sets of producers that feed the same residual add and therefore must keep identical channels.</summary>
    public IReadOnlyList<IReadOnlyList<int>> CoupledGroups { get; }

    /// <summary>Current channel count of a slice filled by <paramref name="producer"/>.</summary>
    public long SliceSize(int producer) => producer == ChannelSources.NetworkInput ? Model.Cfg.InputChannels : Layers[producer].Unit.OutChannels;

    /// <summary>Current sizes of the slices of a conv layer's input.</summary>
    public IReadOnlyList<long> InputSliceSizes(int layer) => inputs[layer].Segments.Select(SliceSize).ToList();

    /// <summary>Channel offset of slice <paramref name="slice"/> within conv layer <paramref name="layer"/>'s input.</summary>
    public long Offset(int layer, int slice) => inputs[layer].Segments.Take(slice).Sum(SliceSize);

    /// <summary>Conv layers whose input changes when <paramref name="layer"/> loses filters, plus their coupled peers.</summary>
    public IReadOnlyList<int> GroupOf(int layer) =>
        CoupledGroups.FirstOrDefault(g => g.Contains(layer)) ?? [layer];

    public static ConnectivityGraph Build(YoloModel model)
    {
        var tracer = new Tracer(model);
        var rowOutputs = new List<ChannelSources>();
        for (var row = 0; row < model.Layers.Count; row++)
        {
            var spec = model.Cfg.Layers[row];
            var rowInputs = row == 0
                ? [ChannelSources.Of(ChannelSources.NetworkInput)]
                : spec.ResolvedFrom.Select(f => rowOutputs[f]).ToList();
            rowOutputs.Add(model.Layers[row].Trace(rowInputs, tracer));
        }
        return new ConnectivityGraph(model, tracer.Inputs.Select(i => i ?? new ChannelSources([])).ToList(), tracer.Consumers, tracer.Groups());
    }

    private sealed class Tracer : ITraceContext
    {
        private readonly Dictionary<IConvUnit, int> index = new(ReferenceEqualityComparer.Instance);
        private readonly List<HashSet<int>> couplings = [];

        public Tracer(YoloModel model)
        {
            foreach (var layer in model.ConvLayers)
                index[layer.Unit] = layer.Index;
            Inputs = new ChannelSources?[model.ConvLayers.Count];
            Consumers = model.ConvLayers.Select(_ => new List<Consumption>()).ToList();
        }

        public ChannelSources?[] Inputs { get; }
        public List<List<Consumption>> Consumers { get; }

        public int IndexOf(IConvUnit unit) => index[unit];

        public void Consume(IConvUnit consumer, ChannelSources input)
        {
            var c = index[consumer];
            Inputs[c] = input;
            for (var slice = 0; slice < input.Segments.Count; slice++)
            {
                var producer = input.Segments[slice];
                if (producer != ChannelSources.NetworkInput)
                    Consumers[producer].Add(new Consumption(c, slice));
            }
        }

        public void Couple(ChannelSources a, ChannelSources b)
        {
            if (a.Segments.Count != b.Segments.Count)
                throw new NotSupportedException("a residual add of tensors with different slice layouts cannot be pruned");
            for (var k = 0; k < a.Segments.Count; k++)
            {
                var (p, q) = (a.Segments[k], b.Segments[k]);
                if (p == q || p < 0 || q < 0)
                    continue;
                var merged = couplings.Where(g => g.Contains(p) || g.Contains(q)).ToList();
                var group = new HashSet<int> { p, q };
                foreach (var g in merged)
                {
                    group.UnionWith(g);
                    couplings.Remove(g);
                }
                couplings.Add(group);
            }
        }

        public IReadOnlyList<IReadOnlyList<int>> Groups() => couplings.Select(g => (IReadOnlyList<int>)g.Order().ToList()).ToList();
    }
}
