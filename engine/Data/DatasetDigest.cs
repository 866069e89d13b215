using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PruneCluster.Engine.Data;

/// <summary>
/// A SHA-256 naming the files of a data split: the images YOLOv7 would list for it and their label files, each as
/// its path relative to the folder they share and its size in bytes, one line per file in ordinal order. Two
/// copies of a dataset in different places have the same digest; adding, removing, renaming or resizing an image or
/// a label file changes it. File contents are not read (too slow for a large split), so an edit that keeps a
/// file's size is not seen.
/// </summary>
public static class DatasetDigest
{
    /// <summary>The digest of <paramref name="split"/> (train, val or test) of <paramref name="data"/>, lowercase hex.</summary>
    /// <exception cref="DatasetException">The split is not in the yaml or one of its sources does not exist.</exception>
    public static string Of(DataYaml data, string split)
    {
        if (!data.HasSplit(split))
            throw new DatasetException($"{data.YamlPath} has no '{split}:' entry; add it");
        var images = ImageListing.List(data.Split(split), $"'{split}:' entry of {data.YamlPath}");
        var files = images.Concat(images.Select(YoloLabelPaths.ForImage)).Distinct(StringComparer.Ordinal).ToList();
        var root = CommonFolder(files);
        var listing = new StringBuilder();
        foreach (var file in files.Select(f => (Full: f, Relative: Path.GetRelativePath(root, f).Replace('\\', '/')))
                     .OrderBy(f => f.Relative, StringComparer.Ordinal))
        {
            var info = new FileInfo(file.Full);
            listing.Append(file.Relative).Append('\t')
                .Append(info.Exists ? info.Length.ToString(CultureInfo.InvariantCulture) : "missing").Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())));
    }

    // The deepest folder holding every file (e.g. the dataset root above images/ and labels/).
    private static string CommonFolder(IReadOnlyList<string> files)
    {
        if (files.Count == 0)
            return Path.GetPathRoot(Environment.CurrentDirectory)!;
        var common = Path.GetDirectoryName(files[0])!;
        foreach (var file in files)
        {
            while (!IsInside(file, common))
                common = Path.GetDirectoryName(common) ?? Path.GetPathRoot(file)!;
        }
        return common;
    }

    private static bool IsInside(string file, string folder) =>
        file.StartsWith(folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
