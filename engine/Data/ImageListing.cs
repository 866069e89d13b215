namespace PruneCluster.Engine.Data;

/// <summary>
/// Lists the images of a split the way YOLOv7's LoadImagesAndLabels does: every file below a folder (recursively,
/// hidden entries skipped, like Python's glob), or every line of a .txt list; kept when the text after the path's
/// last dot is an image suffix; duplicates removed; sorted by ordinal string order (Python's sorted()).
/// </summary>
internal static class ImageListing
{
    // YOLOv7's img_formats.
    private static readonly HashSet<string> ImageSuffixes =
        ["bmp", "jpg", "jpeg", "png", "tif", "tiff", "dng", "webp", "mpo"];

    // Python's glob skips names starting with '.', which .NET marks Hidden on Unix (e.g. macOS "._x.jpg" files).
    private static readonly EnumerationOptions FolderWalk = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.Hidden,
        MatchType = MatchType.Simple,
    };

    public static List<string> List(IReadOnlyList<string> sources, string whatFor)
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            if (Directory.Exists(source))
                files.UnionWith(Directory.EnumerateFiles(source, "*", FolderWalk));
            else if (File.Exists(source))
                files.UnionWith(ReadListFile(source));
            else
                throw new DatasetException($"{source} does not exist; fix the {whatFor} entry to name an image folder or a .txt image list");
        }
        var images = files.Where(IsImage).ToList();
        images.Sort(StringComparer.Ordinal);
        return images;
    }

    private static bool IsImage(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot >= 0 && ImageSuffixes.Contains(path[(dot + 1)..].ToLowerInvariant());
    }

    /// <summary>
    /// One image path per line. "./x" is relative to the list's folder (YOLOv7's rule); any other relative line is
    /// tried beside the list first and then in the working folder (where YOLOv7 looks), so lists keep working when
    /// the tool runs from another folder.
    /// </summary>
    private static IEnumerable<string> ReadListFile(string listPath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(listPath))!;
        foreach (var raw in File.ReadAllLines(listPath))
        {
            var line = raw.Trim();
            if (line.Length == 0)
                continue;
            if (Path.IsPathRooted(line))
                yield return Path.GetFullPath(line);
            else if (line.StartsWith("./", StringComparison.Ordinal))
                yield return Path.GetFullPath(line[2..], folder);
            else
            {
                var besideList = Path.GetFullPath(line, folder);
                var fromWorkingFolder = Path.GetFullPath(line);
                yield return File.Exists(besideList) || !File.Exists(fromWorkingFolder) ? besideList : fromWorkingFolder;
            }
        }
    }
}
