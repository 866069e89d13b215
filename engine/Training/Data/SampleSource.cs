using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Training.Data;

/// <summary>What building a sample reads: the resized images, their labels and the training size s.</summary>
internal sealed class SampleSource(TrainingImages images, IReadOnlyList<IReadOnlyList<NormalizedLabel>> labels, int imageSize)
{
    public int ImageSize { get; } = imageSize;

    public IReadOnlyList<IReadOnlyList<NormalizedLabel>> Labels { get; } = labels;

    public int Count => Labels.Count;

    public ResizedImage Load(int index) => images.Load(index);
}
