namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// Sensitivity-analysis data that cannot be used; the message is one line naming the file (and line) and the fix.
/// </summary>
public sealed class SensitivityDataException : Exception
{
    /// <summary>Creates the exception; <paramref name="line"/> is 1-based, null when no single line is at fault.</summary>
    public SensitivityDataException(SensitivityProblem problem, string path, int? line, string message)
        : base(line is null ? $"{path}: {message}" : $"{path}:{line}: {message}")
    {
        Problem = problem;
        Path = path;
        Line = line;
    }

    /// <summary>Which kind of problem it is.</summary>
    public SensitivityProblem Problem { get; }

    /// <summary>The file (or folder) at fault.</summary>
    public string Path { get; }

    /// <summary>1-based line number, when one line is at fault.</summary>
    public int? Line { get; }
}
