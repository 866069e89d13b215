using PruneCluster.Engine.Data.Synthetic;

namespace PruneCluster.Tests.Data.Synthetic;

/// <summary>One small synthetic data set written to a temp folder, shared by the tests that read it.</summary>
public sealed class SyntheticDatasetFixture : IDisposable
{
    public SyntheticDatasetFixture()
    {
        Root = Directory.CreateTempSubdirectory("prunecluster-synth-").FullName;
        Folder = Path.Combine(Root, "set");
        Summary = SyntheticDataset.Write(Folder, Options);
    }

    /// <summary>160 px keeps the tests fast; 60 images give every class enough objects to check the balance.</summary>
    public SyntheticDatasetOptions Options { get; } = new() { Images = 60, Classes = 5, ImageSize = 160, Seed = 7, ValFraction = 0.25 };

    public string Root { get; }

    public string Folder { get; }

    public SyntheticDatasetSummary Summary { get; }

    /// <summary>Every file below <paramref name="folder"/> (relative path → bytes).</summary>
    public static SortedDictionary<string, byte[]> Files(string folder) =>
        new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes), StringComparer.Ordinal);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
