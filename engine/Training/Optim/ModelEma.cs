using PruneCluster.Engine.Models;
using PruneCluster.Engine.Runtime;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Training.Optim;

/// <summary>
/// YOLOv7's ModelEMA: a copy of the model whose floating-point state (weights and batch-norm statistics) follows
/// the trained one as ema = d·ema + (1 − d)·model after every optimizer step, with the decay ramped as
/// d = 0.9999 · (1 − exp(−updates / 2000)) so early steps move it fast. Validation and <c>best.pt</c> use it.
/// </summary>
public sealed class ModelEma : IDisposable
{
    private const double Decay = 0.9999, Ramp = 2000;

    public ModelEma(YoloModel model, long updates = 0)
    {
        Model = ModelBuilder.Copy(model);
        Model.eval();
        foreach (var p in Model.parameters())
            p.requires_grad = false;
        Updates = updates;
    }

    /// <summary>The averaged model (eval mode, no gradients).</summary>
    public YoloModel Model { get; }

    /// <summary>Updates so far (<c>ema.updates</c> in a checkpoint).</summary>
    public long Updates { get; set; }

    public static double DecayAt(long updates) => Decay * (1 - Math.Exp(-updates / Ramp));

    public void Update(YoloModel model)
    {
        using var _ = no_grad();
        Updates++;
        var d = DecayAt(Updates);
        var source = StateDict.Ordered(model).ToDictionary(kv => kv.Key, kv => kv.Value);
        using var n = new KeptScalars(); // the same three numbers for every tensor of this update
        var (keep, take, one) = (n.Of(d), n.Of(1 - d), n.One);
        foreach (var (key, target) in StateDict.Ordered(Model))
        {
            if (!target.is_floating_point())
                continue; // num_batches_tracked
            using var scope = NewDisposeScope();
            target.mul_(keep).add_(source[key].detach().mul(take), one); // v *= d; v += (1 - d) * msd[k]: two roundings, as there
        }
    }

    public void Dispose() => Model.Dispose();
}
