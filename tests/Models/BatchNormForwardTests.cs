using PruneCluster.Engine.Models.Modules;
using PruneCluster.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Models;

/// <summary>
/// <see cref="BatchNormForward"/> replaces TorchSharp's BatchNorm2d.forward (whose temporary Scalars the GC can free
/// mid-call): it must compute exactly what that forward computes, in training (batch statistics, running averages,
/// batch count) and in eval mode.
/// </summary>
public sealed class BatchNormForwardTests
{
    private static (TorchSharp.Modules.BatchNorm2d Ours, TorchSharp.Modules.BatchNorm2d Theirs) Twins(double momentum)
    {
        var (ours, theirs) = (nn.BatchNorm2d(6, eps: 1e-3, momentum: momentum), nn.BatchNorm2d(6, eps: 1e-3, momentum: momentum));
        using var _ = no_grad();
        var generator = new Generator(7UL);
        foreach (var bn in new[] { ours, theirs })
        {
            generator.manual_seed(7);
            bn.weight!.copy_(rand(6, generator: generator) + 0.5);
            bn.bias!.copy_(randn(6, generator: generator));
            bn.running_mean!.copy_(randn(6, generator: generator));
            bn.running_var!.copy_(rand(6, generator: generator) + 0.5);
        }
        return (ours, theirs);
    }

    [Theory]
    [InlineData(0.03)]   // YOLOv7's
    [InlineData(0.1)]    // PyTorch's default
    public void TrainingAndEvalMatchTorchSharpsBatchNorm(double momentum)
    {
        var (ours, theirs) = Twins(momentum);
        using (ours)
        using (theirs)
        {
            for (var step = 0; step < 3; step++)
            {
                using var x = randn(4, 6, 5, 5, generator: new Generator((ulong)step)) * 3 + 1;
                using var expected = theirs.call(x);
                using var actual = BatchNormForward.Apply(ours, x);
                Assert.True(Same(actual, expected), $"training step {step}: outputs differ");
            }
            Assert.Equal(3L, ours.num_batches_tracked!.item<long>());
            Assert.Equal(theirs.num_batches_tracked!.item<long>(), ours.num_batches_tracked.item<long>());
            Assert.True(Same(ours.running_mean!, theirs.running_mean!), "running means differ");
            Assert.True(Same(ours.running_var!, theirs.running_var!), "running variances differ");
            Assert.False(Same(ours.running_mean!, zeros(6)), "running means never moved");

            ours.eval();
            theirs.eval();
            using var y = randn(2, 6, 3, 3, generator: new Generator(9UL));
            using var evalExpected = theirs.call(y);
            using var evalActual = BatchNormForward.Apply(ours, y);
            Assert.True(Same(evalActual, evalExpected), "eval outputs differ");
            Assert.Equal(3L, ours.num_batches_tracked.item<long>());
        }
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void KeptScalarsStayAliveUntilDisposedAndCarryTheirValues()
    {
        using var scalars = new KeptScalars();
        using var t = ones(3);
        t.mul_(scalars.Of(2.5)).add_(scalars.Of(1L), scalars.One);
        Assert.Equal([3.5f, 3.5f, 3.5f], t.data<float>().ToArray());
        // Nothing but the set references this Scalar: a full collection must not finalize (free) it.
        var made = MadeAndForgotten(scalars);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.True(made.IsAlive, "the GC collected a Scalar the set should keep alive");
        using var four = ones(1).mul((Scalar)made.Target!);
        Assert.Equal(4f, four.item<float>());
    }

    // Not inlined, so that no local of the test method holds the Scalar.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference MadeAndForgotten(KeptScalars scalars) => new(scalars.Of(4.0));
}
