namespace PruneCluster.Client.Cli;

/// <summary>Writes a text file so that readers see the old or the new content, never half of it.</summary>
public static class AtomicText
{
    public static void Write(string path, string content)
    {
        var temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}
