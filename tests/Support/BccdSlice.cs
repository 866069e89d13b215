namespace PruneCluster.Tests.Support;

/// <summary>A data yaml over the first images of bccd val (file-name order), for tests that need a small real split.</summary>
public static class BccdSlice
{
    /// <summary>Writes <c>slice.txt</c> and <c>slice.yaml</c> (train and val = the slice, bccd's 3 classes) into <paramref name="folder"/>.</summary>
    /// <returns>The yaml's path.</returns>
    public static string Write(string folder, int images)
    {
        var list = Path.Combine(folder, "slice.txt");
        File.WriteAllLines(list, Directory.GetFiles(SharedData.Dataset("bccd/images/val"), "*.jpg").Order(StringComparer.Ordinal).Take(images));
        var yaml = Path.Combine(folder, "slice.yaml");
        File.WriteAllText(yaml, $"train: {list}\nval: {list}\nnc: 3\nnames: ['RBC', 'WBC', 'Platelets']\n");
        return yaml;
    }
}
