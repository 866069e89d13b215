using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// <c>analysis.json</c>, what a sensitivity folder was measured with and what it holds beyond the paper's
/// <c>output_*.txt</c> lines (whose format has no room for it): the settings (<see cref="Identity"/>), the rates,
/// the model's prunable-layer count, the unpruned baseline and the (layer, rate) pairs that pruned nothing.
/// </summary>
/// <param name="Format">Version of this file's layout.</param>
/// <param name="ToolVersion">prunecluster version that wrote it (informational: results do not depend on it).</param>
/// <param name="Model">Weights file the first run used (informational; the digest is what counts).</param>
/// <param name="Data">Data yaml the first run used (informational).</param>
/// <param name="Identity">The settings every line was measured with.</param>
/// <param name="Rates">Every rate with an output file here, ascending.</param>
/// <param name="PrunableLayers">The model's prunable layers (0..N-1); a complete folder has a line for each.</param>
/// <param name="Baseline">The unpruned model, measured like every line; null until the first evaluation ran.</param>
/// <param name="NoOps">Pairs whose pruning changed nothing, ascending by layer then rate.</param>
public sealed record SensitivityRecord(
    int Format,
    string ToolVersion,
    string Model,
    string Data,
    SensitivityIdentity Identity,
    IReadOnlyList<double> Rates,
    int PrunableLayers,
    SensitivityBaseline? Baseline,
    IReadOnlyList<SensitivityNoOp> NoOps)
{
    /// <summary>The file name inside a sensitivity folder.</summary>
    public const string FileName = "analysis.json";

    /// <summary>The layout written by this version.</summary>
    public const int CurrentFormat = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>This build's version (the engine assembly's informational version).</summary>
    public static string CurrentToolVersion { get; } =
        typeof(SensitivityRecord).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(SensitivityRecord).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>Whether a (layer, rate) pruned nothing.</summary>
    public bool IsNoOp(int layer, double rate) => NoOps.Any(n => n.Layer == layer && n.Rate.Equals(rate));

    /// <summary>The JSON text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    /// <summary>Parses <paramref name="text"/> read from <paramref name="path"/>.</summary>
    /// <exception cref="SensitivityDataException">Not JSON, another layout, or fields missing.</exception>
    public static SensitivityRecord Parse(string text, string path)
    {
        SensitivityRecord? record;
        try
        {
            record = JsonSerializer.Deserialize<SensitivityRecord>(text, Json);
        }
        catch (JsonException e)
        {
            throw new SensitivityDataException(SensitivityProblem.Unparsable, path, null, $"not a sensitivity record ({e.Message.Split('\n')[0]}); restore it, or rerun the analysis into a new --out folder");
        }
        if (record is null || record.Identity is null || record.Rates is null || record.NoOps is null || record.Identity.ModelSha256 is null || record.Identity.DataSha256 is null)
            throw new SensitivityDataException(SensitivityProblem.Unparsable, path, null, "fields are missing; restore it, or rerun the analysis into a new --out folder");
        if (record.Format != CurrentFormat)
            throw new SensitivityDataException(SensitivityProblem.Unparsable, path, null, $"layout {record.Format}, this prunecluster reads layout {CurrentFormat}; use the prunecluster version that wrote it ({record.ToolVersion})");
        return record;
    }
}
