namespace PruneCluster.Engine.Data.Synthetic;

/// <summary>What <see cref="SyntheticDataset.Write"/> produced: where, and how many images and objects per class in each split.</summary>
public sealed record SyntheticDatasetSummary(string Folder, string DataYaml, int TrainImages, int ValImages,
    IReadOnlyList<string> Names, IReadOnlyList<int> TrainObjects, IReadOnlyList<int> ValObjects);
