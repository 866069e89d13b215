using static TorchSharp.torch;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>
/// One row of the cfg as a module. Each layer knows its own internal wiring: <see cref="Trace"/> tells the connectivity
/// graph which conv units read which channel segments, so the graph is derived from the model, never hand-written.
/// </summary>
public abstract class YoloLayer(string name) : TorchSharp.torch.nn.Module<IReadOnlyList<Tensor>, Tensor>(name)
{
    /// <summary>The conv units this layer owns, in PyTorch <c>modules()</c> order, with their path below the layer.</summary>
    public virtual IEnumerable<(string Path, IConvUnit Unit)> ConvUnits => [];

    /// <summary>Given the channel provenance of each input, records consumption and returns the output's provenance.</summary>
    public abstract ChannelSources Trace(IReadOnlyList<ChannelSources> inputs, ITraceContext context);

    /// <summary>Spatial down-sampling of the output relative to the first input.</summary>
    public virtual double StrideFactor => 1;

    /// <summary>
    /// Swaps a registered child for a rebuilt one at the same position (so the state_dict keeps PyTorch's order).
    /// register_module is what makes a container (Sequential, ModuleList) register its own children.
    /// </summary>
    protected void ReplaceChild(string name, TorchSharp.torch.nn.Module replacement)
    {
        var position = _internal_submodules.Keys.ToList().IndexOf(name);
        if (position >= 0)
            _internal_submodules.Remove(name);
        register_module(name, replacement);
        if (position >= 0)
        {
            _internal_submodules.Remove(name);
            _internal_submodules.Insert(position, (name, replacement));
        }
    }
}

/// <summary>What a layer may ask of the graph builder while tracing.</summary>
public interface ITraceContext
{
    /// <summary>The conv-layer index assigned to a unit (its position in the paper's list).</summary>
    int IndexOf(IConvUnit unit);

    /// <summary>Records that <paramref name="consumer"/> reads a tensor made of <paramref name="input"/>'s segments.</summary>
    void Consume(IConvUnit consumer, ChannelSources input);

    /// <summary>Records that the producers feeding an element-wise add must keep identical channels.</summary>
    void Couple(ChannelSources a, ChannelSources b);
}

/// <summary>
/// Where the channels of a tensor come from: an ordered list of segments, each the whole output of one conv unit
/// (by conv index) or of the network input (<see cref="NetworkInput"/>). Channel counts are read live from the units.
/// </summary>
public sealed record ChannelSources(IReadOnlyList<int> Segments)
{
    public const int NetworkInput = -1;

    public static ChannelSources Of(int producer) => new([producer]);

    public static ChannelSources Concat(IEnumerable<ChannelSources> parts) => new(parts.SelectMany(p => p.Segments).ToList());

    public ChannelSources Repeat(int times) => new(Enumerable.Repeat(Segments, times).SelectMany(s => s).ToList());
}
