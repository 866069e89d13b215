namespace PruneCluster.Engine.Evaluation;

/// <summary>A detections file (<see cref="MetricsFile"/> layout) that cannot be read; the message names the file.</summary>
public sealed class MetricsFileException : Exception
{
    /// <summary>Creates the exception with a one-line message naming <paramref name="path"/>.</summary>
    public MetricsFileException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
    }

    /// <summary>The offending file.</summary>
    public string Path { get; }
}
