using TorchSharp;

namespace PruneCluster.Engine.Runtime;

/// <summary>
/// Scalars that stay alive until this is disposed. TorchSharp turns a number into a temporary Scalar and hands
/// libtorch only its native handle; nothing references the temporary after that, so the GC may finalize (free) it while
/// libtorch still reads it. On a loaded machine that fails a run now and then with libtorch's "toLong/toFloat: Expected
/// false to be true" (see <see cref="Models.Modules.LeakyRelu"/>, <see cref="Models.Modules.BatchNormForward"/>).
/// Per-parameter loops (optimizers, EMA) make their numbers here, pass both operands of add/sub explicitly (the
/// one-argument overloads make an implicit alpha of 1), and dispose the lot after the ops.
/// </summary>
public sealed class KeptScalars : IDisposable
{
    private readonly List<Scalar> made = [];

    /// <summary>1 as an integer Scalar: the alpha of a plain add, valid for integer and floating tensors alike.</summary>
    public Scalar One => Of(1L);

    public Scalar Of(double value) => Keep(value.ToScalar());

    public Scalar Of(long value) => Keep(value.ToScalar());

    private Scalar Keep(Scalar scalar)
    {
        made.Add(scalar);
        return scalar;
    }

    public void Dispose()
    {
        foreach (var scalar in made)
            scalar.Dispose();
        made.Clear();
    }
}
