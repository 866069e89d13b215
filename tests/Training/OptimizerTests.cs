using PruneCluster.Engine.Models;
using PruneCluster.Engine.Training.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Training;

public sealed class OptimizerTests
{
    [Theory]
    [InlineData("yolov7-tiny")]
    [InlineData("yolov7")]
    [InlineData("yolov7-w6")]
    public void EveryParameterIsInExactlyOneGroupAsTrainPyPlacesIt(string cfg)
    {
        using var model = ModelBuilder.Build(YoloCfg.Resolve(cfg));
        var groups = ParameterGroups.Of(model);
        var all = groups.All.SelectMany(g => g).Select(p => p.Name).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(model.named_parameters().Select(p => p.name).Order(), all.Order());

        var batchNorms = model.named_modules().Where(m => m.module is BatchNorm2d).Select(m => m.name + ".weight").ToHashSet();
        Assert.All(groups.Decay, p => Assert.Equal(4, p.Parameter.dim()));
        Assert.All(groups.Biases, p => Assert.EndsWith(".bias", p.Name));
        Assert.All(groups.NoDecay, p => Assert.True(batchNorms.Contains(p.Name) || p.Name.EndsWith(".implicit", StringComparison.Ordinal), p.Name));
        // IDetect's implicit values close group 0, ImplicitM ('im') before ImplicitA ('ia') as train.py's hasattr order.
        var implicits = groups.NoDecay.Where(p => p.Name.EndsWith(".implicit", StringComparison.Ordinal)).Select(p => p.Name).ToList();
        var levels = model.Head.Levels;
        Assert.Equal(2 * levels, implicits.Count);
        Assert.All(implicits.Take(levels), n => Assert.Contains(".im.", n));
        Assert.All(implicits.Skip(levels), n => Assert.Contains(".ia.", n));
        // Visited at the head module, before its own convs' weights and its children.
        Assert.Equal(implicits, groups.NoDecay.TakeLast(2 * levels).Select(p => p.Name));
        // Depth-first like PyTorch: every batch norm of cfg row i comes before those of row i + 1
        // (TorchSharp's own named_modules is breadth-first and would interleave them).
        var rows = groups.NoDecay.Select(p => int.Parse(p.Name.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(rows.Order(), rows);
    }

    /// <summary>Four parameters in train.py's three groups, and an identical copy for libtorch's own optimizer.</summary>
    private static (TorchSharp.torch.Generator, long[][], TorchSharp.Modules.Parameter[], TorchSharp.Modules.Parameter[], ParameterGroups) TwinParameters(ulong seed)
    {
        var generator = new TorchSharp.torch.Generator(seed);
        var shapes = new long[][] { [4, 3, 3, 3], [4], [4], [2, 4, 1, 1] };
        var ours = shapes.Select(s => new TorchSharp.Modules.Parameter(randn(s, generator: generator))).ToArray();
        var theirs = ours.Select(p => new TorchSharp.Modules.Parameter(p.detach().clone())).ToArray();
        var groups = new ParameterGroups(
            [new NamedParameter("bn.weight", ours[1])],
            [new NamedParameter("conv.weight", ours[0]), new NamedParameter("head.weight", ours[3])],
            [new NamedParameter("bn.bias", ours[2])]);
        return (generator, shapes, ours, theirs, groups);
    }

    [Fact]
    public void NesterovSgdMatchesLibtorchsSgdStepForStep()
    {
        // Two copies of the same parameters: one stepped by libtorch's own SGD, one by ours, with the same gradients.
        var (generator, shapes, ours, theirs, groups) = TwinParameters(seed: 7);
        using var sgd = new NesterovSgd(groups, lr: 0.01, momentum: 0.937, weightDecay: 0.0005);
        var reference = new[]
        {
            optim.SGD([theirs[1]], 0.01, momentum: 0.937, nesterov: true),
            optim.SGD([theirs[0], theirs[3]], 0.01, momentum: 0.937, weight_decay: 0.0005, nesterov: true),
            optim.SGD([theirs[2]], 0.01, momentum: 0.937, nesterov: true),
        };
        for (var step = 0; step < 6; step++)
        {
            for (var i = 0; i < ours.Length; i++)
            {
                var grad = randn(shapes[i], generator: generator);
                ours[i].grad = grad.clone();
                theirs[i].grad = grad.clone();
            }
            sgd.Step();
            foreach (var r in reference)
                r.step();
            for (var i = 0; i < ours.Length; i++)
                Assert.True(ours[i].allclose(theirs[i], rtol: 0, atol: 1e-7), $"parameter {i} differs after step {step}");
        }
        Assert.Equal(4, sgd.MomentumBuffers.Count);
    }

    [Fact]
    public void AdamMatchesLibtorchsAdamStepForStepWithTrainPysGroups()
    {
        // train.py --adam: Adam(pg0, lr, betas=(momentum, 0.999)); pg1 with weight_decay; pg2 plain. The lr changes
        // between steps as the warm-up and schedule change it.
        var (generator, shapes, ours, theirs, groups) = TwinParameters(seed: 5);
        using var adam = new AdamL2(groups, lr: 0.001, beta1: 0.937, weightDecay: 0.0005);
        var reference = new[]
        {
            optim.Adam([theirs[1]], 0.001, beta1: 0.937, beta2: 0.999),
            optim.Adam([theirs[0], theirs[3]], 0.001, beta1: 0.937, beta2: 0.999, weight_decay: 0.0005),
            optim.Adam([theirs[2]], 0.001, beta1: 0.937, beta2: 0.999),
        };
        for (var step = 0; step < 8; step++)
        {
            var lr = 0.001 * (1 + step % 3);
            for (var g = 0; g < 3; g++)
            {
                adam.SetLearningRate(g, lr);
                adam.SetMomentum(g, 0.5); // train.py's warm-up leaves Adam's betas alone
                foreach (var group in reference[g].ParamGroups)
                    group.LearningRate = lr;
            }
            for (var i = 0; i < ours.Length; i++)
            {
                var grad = randn(shapes[i], generator: generator);
                ours[i].grad = grad.clone();
                theirs[i].grad = grad.clone();
            }
            adam.Step();
            foreach (var r in reference)
                r.step();
            for (var i = 0; i < ours.Length; i++)
                Assert.True(ours[i].allclose(theirs[i], rtol: 0, atol: 1e-6), $"parameter {i} differs after step {step}: {(ours[i] - theirs[i]).abs().max().item<float>()}");
        }
        Assert.All(adam.Groups, g => Assert.Equal(0.937, g.Momentum));
        Assert.Equal(12, adam.State.Count); // exp_avg, exp_avg_sq and step of each of the four parameters
        Assert.Equal(8L, adam.State["step/conv.weight"].item<long>());
    }

    [Fact]
    public void ParametersWithoutGradientAreLeftAlone()
    {
        var frozen = new TorchSharp.Modules.Parameter(ones(3));
        var trained = new TorchSharp.Modules.Parameter(ones(3));
        using var sgd = new NesterovSgd(new ParameterGroups([], [new NamedParameter("a", frozen), new NamedParameter("b", trained)], []), 0.1, 0.9, 0.01);
        trained.grad = ones(3);
        sgd.Step();
        Assert.True(frozen.allclose(ones(3), rtol: 0, atol: 0));
        Assert.False(trained.allclose(ones(3), rtol: 0, atol: 0));
        Assert.False(sgd.MomentumBuffers.ContainsKey("a"));
    }

    [Fact]
    public void OneCycleGoesFromOneToLrfAndLinearEndsAtLrfOnTheLastEpoch()
    {
        var cosine = new LearningRateSchedule(Epochs: 100, Lrf: 0.01);
        Assert.Equal(1.0, cosine.Factor(0), 15);
        Assert.Equal((1 + 0.01) / 2, cosine.Factor(50), 15);
        Assert.Equal(0.01, cosine.Factor(100), 15);
        var linear = new LearningRateSchedule(Epochs: 11, Lrf: 0.1, Linear: true);
        Assert.Equal(1.0, linear.Factor(0), 15);
        Assert.Equal(0.55, linear.Factor(5), 15);
        Assert.Equal(0.1, linear.Factor(10), 15);
    }

    [Fact]
    public void WarmupLastsAtLeast1000BatchesAndInterpolatesAsNumpy()
    {
        // hyp.scratch.tiny: warmup_epochs 3, warmup_bias_lr 0.1, warmup_momentum 0.8, momentum 0.937; 13 batches of 16.
        var warmup = new Warmup(3, batchesPerEpoch: 13, batchSize: 16, warmupBiasLr: 0.1, warmupMomentum: 0.8, momentum: 0.937);
        Assert.Equal(1000, warmup.Iterations);
        Assert.Equal(4, warmup.SteadyAccumulation);
        Assert.Equal(1, warmup.Accumulation(0));
        Assert.Equal(2, warmup.Accumulation(500)); // interp 2.5 → numpy rounds half to even
        Assert.Equal(4, warmup.Accumulation(1000));
        Assert.Equal(0.1, warmup.LearningRate(0, group: 2, target: 0.01), 15);
        Assert.Equal(0.0, warmup.LearningRate(0, group: 0, target: 0.01), 15);
        Assert.Equal(0.055, warmup.LearningRate(500, group: 2, target: 0.01), 15);
        Assert.Equal(0.005, warmup.LearningRate(500, group: 1, target: 0.01), 15);
        Assert.Equal(0.8685, warmup.Momentum(500), 15);
        Assert.Equal(3000, new Warmup(3, 1000, 16, 0.1, 0.8, 0.937).Iterations);
    }

    [Fact]
    public void ALowerWarmupFloorLeavesWarmupEpochsTimesBatchesAndZeroMeansNoWarmup()
    {
        // Fine-tuning on 13 batches per epoch: train.py's floor would make the warm-up 77 epochs long.
        var shortWarmup = new Warmup(3, batchesPerEpoch: 13, batchSize: 16, warmupBiasLr: 0.1, warmupMomentum: 0.8, momentum: 0.937, minimumIterations: 0);
        Assert.Equal(39, shortWarmup.Iterations);
        Assert.True(shortWarmup.Applies(39));
        Assert.False(shortWarmup.Applies(40));
        Assert.Equal(0.01 / 3, shortWarmup.LearningRate(13, group: 1, target: 0.01), 15);
        Assert.Equal(0.1 - (0.1 - 0.01) / 3, shortWarmup.LearningRate(13, group: 2, target: 0.01), 15);
        Assert.Equal(100, new Warmup(3, 13, 16, 0.1, 0.8, 0.937, minimumIterations: 100).Iterations);
        var none = new Warmup(0, 13, 16, 0.1, 0.8, 0.937, minimumIterations: 0);
        Assert.Equal(0, none.Iterations);
        Assert.False(none.Applies(0));
        Assert.Equal(4, none.Accumulation(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Warmup(3, 13, 16, 0.1, 0.8, 0.937, minimumIterations: -1));
    }

    [Fact]
    public void ASmallerNominalBatchAccumulatesFewerBatchesPerStep()
    {
        // train.py's nbs 64 with batches of 8 steps every 8th batch; --nominal-batch 16 every 2nd, 8 (or less) every batch.
        Assert.Equal(8, new Warmup(0, 13, 8, 0.1, 0.8, 0.937, minimumIterations: 0).SteadyAccumulation);
        var sixteen = new Warmup(3, batchesPerEpoch: 10, batchSize: 8, warmupBiasLr: 0.1, warmupMomentum: 0.8, momentum: 0.937, minimumIterations: 0, nominalBatch: 16);
        Assert.Equal(16, sixteen.NominalBatch);
        Assert.Equal(2, sixteen.SteadyAccumulation);
        Assert.Equal(1, sixteen.Accumulation(0));
        Assert.Equal(2, sixteen.Accumulation(30)); // the end of the warm-up reaches nbs / batch
        Assert.Equal(1, new Warmup(3, 10, 8, 0.1, 0.8, 0.937, minimumIterations: 0, nominalBatch: 4).SteadyAccumulation);
        Assert.Equal(1, new Warmup(3, 10, 8, 0.1, 0.8, 0.937, minimumIterations: 0, nominalBatch: 4).Accumulation(15));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Warmup(3, 13, 16, 0.1, 0.8, 0.937, nominalBatch: 0));
    }

    [Fact]
    public void EmaFollowsTheModelWithTheRampedDecayIncludingBatchNormStatistics()
    {
        using var model = ModelBuilder.Build(YoloCfg.Resolve("yolov7-tiny"));
        using var ema = new ModelEma(model);
        var key = "model.0.bn.running_mean";
        var weightKey = "model.0.conv.weight";
        var before = StateDict.Ordered(ema.Model).First(kv => kv.Key == weightKey).Value.clone();
        using (no_grad())
        {
            foreach (var (_, t) in StateDict.Ordered(model).Where(kv => kv.Value.is_floating_point()))
                t.add_(1.0);
        }
        ema.Update(model);
        var d = ModelEma.DecayAt(1);
        Assert.Equal(0.9999 * (1 - Math.Exp(-1 / 2000.0)), d, 15);
        var weight = StateDict.Ordered(ema.Model).First(kv => kv.Key == weightKey).Value;
        var expected = before * d + (before + 1) * (1 - d);
        Assert.True(weight.allclose(expected, rtol: 0, atol: 1e-6));
        var mean = StateDict.Ordered(ema.Model).First(kv => kv.Key == key).Value;
        Assert.True(mean.allclose(full_like(mean, 1 - d), rtol: 0, atol: 1e-6)); // running_mean 0 → 1
        Assert.Equal(1, ema.Updates);
        Assert.False(ema.Model.training);
    }
}
