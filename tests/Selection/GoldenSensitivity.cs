using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Selection;

/// <summary>The golden sensitivity-analysis folder and copies of it that a test may damage.</summary>
internal static class GoldenSensitivity
{
    public static string Dir => SharedData.Golden("layer_selection/yolov7-tiny_sa");

    public static IEnumerable<string> Files => Directory.GetFiles(Dir, "output_*.txt").Order(StringComparer.Ordinal);

    /// <summary>Copies the golden files into <paramref name="folder"/> (tests edit the copies, never the originals).</summary>
    public static void CopyTo(TempFolder folder)
    {
        foreach (var file in Files)
        {
            var copy = folder.File(Path.GetFileName(file));
            File.Copy(file, copy);
            File.SetAttributes(copy, FileAttributes.Normal); // the shared originals are read-only
        }
    }

    /// <summary>Replaces line <paramref name="lineNumber"/> (1-based) of a copied file.</summary>
    public static void ReplaceLine(string path, int lineNumber, Func<string, string?> change)
    {
        var lines = File.ReadAllText(path).Split('\n').ToList();
        var replacement = change(lines[lineNumber - 1]);
        if (replacement is null)
            lines.RemoveAt(lineNumber - 1);
        else
            lines[lineNumber - 1] = replacement;
        File.WriteAllText(path, string.Join('\n', lines));
    }
}
