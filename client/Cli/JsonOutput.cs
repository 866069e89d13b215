using System.Text.Json;
using System.Text.Json.Serialization;

namespace PruneCluster.Client.Cli;

/// <summary>The one JSON document a <c>--json</c> command prints on stdout (snake_case keys, indented; <c>cluster status</c>: the silo's <c>/api/cluster</c> shape).</summary>
public static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Grain records leave optional lists default (an iteration not selected yet): written as [].
        Converters = { new Grains.Contracts.ImmutableArrayJsonConverter() },
    };

    public static void Print(object document) => Console.Out.WriteLine(JsonSerializer.Serialize(document, Options));

    /// <summary>A record as another interface serializes it (the silo's <c>/api</c> endpoints), indented.</summary>
    public static void Print<T>(T document, JsonSerializerOptions options) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(document, new JsonSerializerOptions(options) { WriteIndented = true }));
}
