using static TorchSharp.torch;

namespace PruneCluster.Engine.Training.Loss;

/// <summary>
/// What YOLOv7's losses return: <see cref="Total"/> = (lbox + lobj + lcls) · batch size, shape [1], to backpropagate;
/// <see cref="Parts"/> = [lbox, lobj, lcls, lbox + lobj + lcls], detached (for logging).
/// </summary>
public sealed class LossOutput(Tensor total, Tensor parts) : IDisposable
{
    public Tensor Total { get; } = total;
    public Tensor Parts { get; } = parts;

    /// <summary>The values as numbers (copies them to the CPU).</summary>
    public LossValues Read()
    {
        using var scope = NewDisposeScope();
        var p = Parts.cpu().to(ScalarType.Float64).data<double>().ToArray();
        return new LossValues(Total.cpu().to(ScalarType.Float64).item<double>(), p[0], p[1], p[2]);
    }

    public void Dispose()
    {
        Total.Dispose();
        Parts.Dispose();
    }
}
