namespace PruneCluster.Engine.Sensitivity;

/// <summary>Where a result was read from, so later checks can name the file and line at fault.</summary>
/// <param name="Path">The sensitivity file.</param>
/// <param name="Line">1-based line number.</param>
public sealed record SensitivitySource(string Path, int Line)
{
    /// <inheritdoc />
    public override string ToString() => $"{System.IO.Path.GetFileName(Path)} line {Line}";
}
