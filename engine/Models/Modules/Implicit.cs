using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PruneCluster.Engine.Models.Modules;

/// <summary>YOLOR implicit knowledge: a learned [1, C, 1, 1] tensor added (ImplicitA) or multiplied (ImplicitM).</summary>
public sealed class Implicit : Module<Tensor, Tensor>
{
    private Parameter @implicit;
    private readonly bool additive;

    private Implicit(string name, long channels, bool additive) : base(name)
    {
        this.additive = additive;
        // YOLOR's initialisation: normal around 0 (add) or 1 (multiply) with std 0.02, from libtorch's generator as
        // every other layer. Weights loaded from a checkpoint replace it.
        @implicit = new Parameter(empty(1, channels, 1, 1));
        using (no_grad())
            init.normal_(@implicit, additive ? 0.0 : 1.0, 0.02);
        RegisterComponents();
    }

    public static Implicit A(long channels) => new("ImplicitA", channels, additive: true);

    public static Implicit M(long channels) => new("ImplicitM", channels, additive: false);

    public Tensor Value => @implicit;

    public override Tensor forward(Tensor x) => additive ? @implicit + x : @implicit * x;

    public void KeepChannels(Tensor keep)
    {
        var selected = TensorSelect.Select(@implicit, 1, keep);
        @implicit.Dispose();
        @implicit = selected;
        register_parameter_replacing("implicit", selected);
    }

    private void register_parameter_replacing(string name, Parameter p)
    {
        _internal_params.Remove(name);
        register_parameter(name, p);
    }
}
