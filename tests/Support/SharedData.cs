namespace PruneCluster.Tests.Support;

/// <summary>
/// Locates the read-only shared material (golden outputs, reference cfgs, datasets) that lives beside the
/// repository as <c>../shared</c>. <c>PRUNECLUSTER_SHARED</c> overrides the search.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string Dir => Root.Value;

    public static string Golden(string relative) => Path.Combine(Dir, "golden", relative);

    public static string Reference(string relative) => Path.Combine(Dir, "reference", relative);

    public static string Dataset(string relative) => Path.Combine(Dir, "datasets", relative);

    /// <summary>coco128's COCO annotations (its 128 train2017 images, crowd regions included).</summary>
    public static string Coco128Instances => Dataset("coco128/annotations/instances_train2017.json");

    private static string FindRoot()
    {
        var fromEnv = Environment.GetEnvironmentVariable("PRUNECLUSTER_SHARED");
        if (!string.IsNullOrEmpty(fromEnv))
            return fromEnv;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "golden")))
                return candidate;
        }
        throw new DirectoryNotFoundException(
            "shared test data not found: expected a 'shared/golden' folder beside the repository; set PRUNECLUSTER_SHARED to its path");
    }
}
