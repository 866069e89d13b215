namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// Writes a file so that readers see either the old file or the complete new one, never a half-written one: the
/// content goes to a temporary file in the same folder (same file system, so the rename is atomic) which then
/// replaces the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>A text file, UTF-8 without a byte-order mark (as <see cref="File.WriteAllText(string, string?)"/>).</summary>
    public static void WriteText(string path, string text) => Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)));

    public static void Write(string path, Action<Stream> writeContent)
    {
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20))
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary); // does not throw when the file was never created
            throw;
        }
    }
}
