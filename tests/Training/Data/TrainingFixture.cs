using PruneCluster.Engine.Data;
using PruneCluster.Engine.Training.Data;

namespace PruneCluster.Tests.Training.Data;

/// <summary>Builds loaders over a <see cref="SyntheticBoxes"/> set at a small training size (images cached unless asked otherwise).</summary>
internal static class TrainingFixture
{
    public const int Size = 160;

    /// <summary>Geometry only: no HSV, flips, mixup; callers switch on what they test.</summary>
    public static readonly AugmentationOptions Quiet = AugmentationOptions.None;

    public static TrainingLoader Loader(SyntheticBoxes boxes, AugmentationOptions? augmentation, int workers = 1, int batch = 4, long seed = 0,
        bool cache = true) =>
        new(TrainingSet.Load(DataYaml.Load(boxes.YamlPath)),
            new TrainingLoaderOptions { ImageSize = Size, BatchSize = batch, Workers = workers, Seed = seed, CacheImages = cache }, augmentation);

    /// <summary>Samples of image 0..n-1 over several epochs until <paramref name="want"/> of them satisfy the filter.</summary>
    public static List<TrainingSample> SamplesWhere(TrainingLoader loader, Func<TrainingSample, bool> filter, int want)
    {
        var found = new List<TrainingSample>();
        for (var epoch = 0; epoch < 200 && found.Count < want; epoch++)
        for (var index = 0; index < loader.Set.Count && found.Count < want; index++)
        {
            var sample = loader.Sample(index, epoch);
            if (filter(sample))
                found.Add(sample);
        }
        Assert.Equal(want, found.Count);
        return found;
    }
}
