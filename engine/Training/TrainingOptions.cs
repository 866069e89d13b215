using PruneCluster.Engine.Training.Hyp;

namespace PruneCluster.Engine.Training;

/// <summary>train.py's options that shape a run (the rest — data, weights, output folder — are the caller's).</summary>
/// <param name="Hyp">Hyperparameters as the hyp file gives them (the trainer scales box/cls/obj itself, as train.py).</param>
/// <param name="HypName">Where <paramref name="Hyp"/> came from (a built-in name or a path), recorded with the run.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="BatchSize">Images per batch; gradients accumulate up to <paramref name="NominalBatch"/>.</param>
/// <param name="ImageSize">Train and validation image size, a multiple of 32.</param>
/// <param name="Workers">Loader threads decoding and augmenting ahead of the model.</param>
/// <param name="Seed">Every random choice (shuffle, augmentation) derives from it: a run is repeatable.</param>
/// <param name="LinearLr"><c>--linear-lr</c> instead of one-cycle cosine.</param>
/// <param name="Freeze"><c>--freeze N</c>: the first N cfg rows (<c>model.0.</c> … <c>model.N-1.</c>) do not train.</param>
/// <param name="CacheImages"><c>--cache-images</c>.</param>
/// <param name="ValidateEveryEpoch">False: validate only after the last epoch (<c>--notest</c>).</param>
/// <param name="CheckpointFormat">Layout of <c>weights/last.pt</c> and <c>best.pt</c> (<c>--format</c>).</param>
/// <param name="NominalBatch"><c>--nominal-batch</c>: images per optimizer step, gradients accumulated up to it (train.py: 64).</param>
/// <param name="Adam"><c>--adam</c>: Adam (betas = hyp momentum, 0.999) instead of Nesterov SGD; pair it with a lower lr0 (train.py's users: 0.001).</param>
/// <param name="MinWarmupIterations"><c>--min-warmup-iters</c>: the floor on the warm-up length in batches (train.py: 1000).</param>
public sealed record TrainingOptions(
    Hyperparameters Hyp,
    string HypName,
    int Epochs,
    int BatchSize,
    int ImageSize,
    int Workers = 8,
    long Seed = 0,
    bool LinearLr = false,
    int Freeze = 0,
    bool CacheImages = false,
    bool ValidateEveryEpoch = true,
    int MinWarmupIterations = Optim.Warmup.TrainPyMinimumIterations,
    Models.ModelFileFormat CheckpointFormat = Models.ModelFileFormat.Yolov7,
    int NominalBatch = Optim.Warmup.TrainPyNominalBatch,
    bool Adam = false)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value (the CLI checks before this).</summary>
    public void Validate()
    {
        if (Epochs < 1)
            throw new ArgumentException($"--epochs {Epochs}: train at least 1 epoch");
        if (BatchSize < 1)
            throw new ArgumentException($"--batch-size {BatchSize}: use 1 or more");
        if (ImageSize < 32 || ImageSize % 32 != 0)
            throw new ArgumentException($"--img {ImageSize}: use a multiple of 32");
        if (Workers < 1)
            throw new ArgumentException($"--workers {Workers}: use 1 or more");
        if (Freeze < 0)
            throw new ArgumentException($"--freeze {Freeze}: use 0 or more");
        if (MinWarmupIterations < 0)
            throw new ArgumentException($"--min-warmup-iters {MinWarmupIterations}: use 0 or more");
        if (NominalBatch < 1)
            throw new ArgumentException($"--nominal-batch {NominalBatch}: use 1 or more (train.py: 64)");
        if (LinearLr && Epochs < 2)
            throw new ArgumentException("--linear-lr needs at least 2 epochs (its factor falls to lrf at the last epoch)");
    }
}
