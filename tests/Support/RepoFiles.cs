namespace PruneCluster.Tests.Support;

/// <summary>Files of this repository (shipped configs, docs) located from the test binary.</summary>
public static class RepoFiles
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Cluster.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("repository root (Cluster.sln) not found above the test binary");
    });

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root.Value, .. parts]);
}
