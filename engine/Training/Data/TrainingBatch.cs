using static TorchSharp.torch;

namespace PruneCluster.Engine.Training.Data;

/// <summary>
/// One training batch as train.py receives it from collate_fn: <see cref="Images"/> float32 [B, 3, s, s], RGB,
/// values / 255; <see cref="Targets"/> float32 [N, 6] rows (image index in the batch, class, xc, yc, w, h)
/// normalised to s. The consumer owns both tensors: dispose the batch.
/// </summary>
public sealed class TrainingBatch(int index, Tensor images, Tensor targets, IReadOnlyList<TrainingSample> samples) : IDisposable
{
    /// <summary>Position of the batch in its epoch.</summary>
    public int Index { get; } = index;

    public Tensor Images { get; } = images;

    public Tensor Targets { get; } = targets;

    /// <summary>The samples behind the tensors (image index, path, uint8 pixels, normalised labels), in batch order.</summary>
    public IReadOnlyList<TrainingSample> Samples { get; } = samples;

    public int Count => Samples.Count;

    public void Dispose()
    {
        Images.Dispose();
        Targets.Dispose();
    }
}
