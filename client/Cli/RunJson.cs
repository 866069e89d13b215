using System.Text.Json;

namespace PruneCluster.Client.Cli;

/// <summary>How command settings are stored in a run folder (train's run.json): readable, stable names.</summary>
public static class RunJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}
