namespace PruneCluster.Engine.Training.Optim;

/// <summary>
/// train.py's warm-up over its first <see cref="Iterations"/> batches (<c>max(round(warmup_epochs · nb), 1000)</c>;
/// the floor of 1000 is <see cref="TrainPyMinimumIterations"/> and can be lowered for fine-tuning on small sets, where
/// 1000 batches are dozens of epochs and would keep the weights' learning rate near 0 for the whole run):
/// gradient accumulation rises from 1 to <c>nbs / batch</c>, the bias group's lr falls from <c>warmup_bias_lr</c> and
/// the other groups' rise from 0 towards <c>initial_lr · lf(epoch)</c>, momentum rises from <c>warmup_momentum</c> to
/// <c>momentum</c> — all by numpy's <c>interp</c>. After it, accumulation is <c>max(round(nbs / batch), 1)</c>.
/// </summary>
public sealed class Warmup
{
    /// <summary>train.py's nominal batch size (<c>nbs = 64</c>): gradients are accumulated up to it.</summary>
    public const int TrainPyNominalBatch = 64;

    private readonly int batchSize;
    private readonly double warmupBiasLr, warmupMomentum, momentum;

    /// <summary>train.py's floor on the warm-up length, in batches.</summary>
    public const int TrainPyMinimumIterations = 1000;

    public Warmup(double warmupEpochs, int batchesPerEpoch, int batchSize, double warmupBiasLr, double warmupMomentum, double momentum,
        int minimumIterations = TrainPyMinimumIterations, int nominalBatch = TrainPyNominalBatch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumIterations);
        ArgumentOutOfRangeException.ThrowIfLessThan(nominalBatch, 1);
        // Python's round() rounds half to even, as Math.Round does by default.
        Iterations = Math.Max((int)Math.Round(warmupEpochs * batchesPerEpoch), minimumIterations);
        this.batchSize = batchSize;
        this.warmupBiasLr = warmupBiasLr;
        this.warmupMomentum = warmupMomentum;
        this.momentum = momentum;
        NominalBatch = nominalBatch;
    }

    /// <summary>Images per optimizer step that gradients are accumulated up to (train.py: 64). A smaller one gives
    /// more weight updates per epoch, which short runs on small sets need.</summary>
    public int NominalBatch { get; }

    /// <summary>Warm-up length in batches.</summary>
    public int Iterations { get; }

    /// <summary>Accumulation after warm-up: <c>max(round(nbs / batch), 1)</c>.</summary>
    public int SteadyAccumulation => Math.Max((int)Math.Round((double)NominalBatch / batchSize), 1);

    /// <summary>No warm-up at all when <see cref="Iterations"/> is 0 (warmup_epochs 0 and no floor).</summary>
    public bool Applies(long iteration) => Iterations > 0 && iteration <= Iterations;

    /// <summary>Batches accumulated per optimizer step at integrated batch <paramref name="iteration"/>.</summary>
    public int Accumulation(long iteration) =>
        Applies(iteration) ? Math.Max(1, (int)Math.Round(Interp(iteration, 1, (double)NominalBatch / batchSize))) : SteadyAccumulation;

    /// <summary>Group <paramref name="group"/>'s lr at <paramref name="iteration"/>, heading for <paramref name="target"/> (initial_lr · lf(epoch)).</summary>
    public double LearningRate(long iteration, int group, double target) => Interp(iteration, group == 2 ? warmupBiasLr : 0.0, target);

    public double Momentum(long iteration) => Interp(iteration, warmupMomentum, momentum);

    // np.interp(x, [0, nw], [from, to]) for 0 ≤ x ≤ nw.
    private double Interp(long iteration, double from, double to) => from + (to - from) * iteration / Iterations;
}
