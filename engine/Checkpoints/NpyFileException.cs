namespace PruneCluster.Engine.Checkpoints;

/// <summary>A .npy file could not be read or written; the message is one line naming the file and the fix.</summary>
public sealed class NpyFileException : Exception
{
    public NpyFileException(string path, string problem, string fix, Exception? inner = null)
        : base(CheckpointException.OneLine($"{path}: {problem}. Fix: {fix}"), inner)
    {
        FilePath = path;
    }

    /// <summary>The .npy file the problem is about.</summary>
    public string FilePath { get; }
}
