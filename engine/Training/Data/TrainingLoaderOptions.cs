using static TorchSharp.torch;

namespace PruneCluster.Engine.Training.Data;

/// <summary>How a <see cref="TrainingLoader"/> batches: train.py's --img, --batch-size, --workers, --cache, plus the seed.</summary>
public sealed record TrainingLoaderOptions
{
    /// <summary>Side s of the square network input; a multiple of the 32-pixel stride (check_img_size).</summary>
    public int ImageSize { get; init; } = 640;

    public int BatchSize { get; init; } = 16;

    /// <summary>Worker threads decoding and augmenting ahead of the consumer.</summary>
    public int Workers { get; init; } = 8;

    /// <summary>Batches built ahead of the consumer at most (the bounded queue); 0 means 2 per worker.</summary>
    public int Prefetch { get; init; }

    /// <summary>Everything random (shuffle and every augmentation) derives from this seed, the epoch and the image index.</summary>
    public long Seed { get; init; }

    /// <summary>Reshuffle the images every epoch (train.py's loader does); false keeps the sorted order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>YOLOv7's --cache: keep each resized image in memory after its first decode.</summary>
    public bool CacheImages { get; init; }

    /// <summary>Device the batch tensors are created on (the model's); null = CPU.</summary>
    public Device? Device { get; init; }

    public const int Stride = 32;

    internal int EffectivePrefetch => Prefetch > 0 ? Prefetch : 2 * Workers;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (ImageSize <= 0 || ImageSize % Stride != 0)
            throw new ArgumentException($"image size {ImageSize} must be a positive multiple of {Stride}");
        if (BatchSize <= 0)
            throw new ArgumentException($"batch size {BatchSize} must be at least 1");
        if (Workers <= 0)
            throw new ArgumentException($"workers {Workers} must be at least 1");
        if (Prefetch < 0)
            throw new ArgumentException($"prefetch {Prefetch} must be 0 (automatic) or more");
    }
}
