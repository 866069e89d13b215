namespace PruneCluster.Engine.Campaign;

/// <summary>How each pruned model is fine-tuned (the options of <c>prunecluster train</c>).</summary>
/// <param name="Epochs">Epochs per iteration.</param>
/// <param name="Hyp">A built-in hyp name (scratch.tiny, scratch.p5 …) or a hyp yaml path.</param>
/// <param name="BatchSize">Training batch size.</param>
/// <param name="MinWarmupIters">Floor on the warm-up length in batches (as <c>train --min-warmup-iters</c>; train.py: 1000).</param>
/// <param name="NominalBatch">Images per optimizer step, gradients accumulated up to it (as <c>train --nominal-batch</c>; train.py: 64).</param>
/// <param name="Adam">Adam instead of Nesterov SGD (as <c>train --adam</c>).</param>
public sealed record FineTuneSpec(int Epochs = 10, string Hyp = "scratch.tiny", int BatchSize = 16,
    int MinWarmupIters = Training.Optim.Warmup.TrainPyMinimumIterations, int NominalBatch = Training.Optim.Warmup.TrainPyNominalBatch,
    bool Adam = false);
