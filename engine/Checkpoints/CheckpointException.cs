namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// A checkpoint file could not be read or written. The message is one line: the file, what is wrong with it and
/// what to do about it, so a CLI can print it as is.
/// </summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string path, string problem, string fix, Exception? inner = null)
        : base(OneLine($"{path}: {problem}. Fix: {fix}"), inner)
    {
        FilePath = path;
    }

    /// <summary>The checkpoint file the problem is about.</summary>
    public string FilePath { get; }

    // Inner messages from zip/pickle libraries may span lines; the contract is a single line.
    internal static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
