using System.Diagnostics;
using System.Text.Json.Nodes;
using PruneCluster.Tests.Support;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace PruneCluster.Tests.Deployment;

/// <summary>The objects <c>kubectl kustomize k8s/overlays/NAME</c> renders, as JSON nodes, with lookups by kind and name.</summary>
public sealed class RenderedOverlay
{
    private RenderedOverlay(string name, IReadOnlyList<JsonObject> objects) => (Name, Objects) = (name, objects);

    public string Name { get; }

    public IReadOnlyList<JsonObject> Objects { get; }

    public static string? Kubectl() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "kubectl")).FirstOrDefault(File.Exists);

    public static RenderedOverlay Render(string overlay)
    {
        var start = new ProcessStartInfo(Kubectl()!, ["kustomize", RepoFiles.Path("k8s", "overlays", overlay)])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var yaml = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"kubectl kustomize k8s/overlays/{overlay} failed: {stderr.Result}");
        return new RenderedOverlay(overlay, Parse(yaml));
    }

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => Str(o["kind"]) == kind);

    public JsonObject Get(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => Str(o["metadata"]?["name"]) == name)
        ?? throw new Xunit.Sdk.XunitException($"overlay {Name} renders no {kind} named {name}");

    /// <summary>The pod template of a Deployment, StatefulSet or Job.</summary>
    public static JsonObject PodTemplate(JsonObject workload) => workload["spec"]!["template"]!.AsObject();

    public static JsonObject Container(JsonObject workload, string name) =>
        PodTemplate(workload)["spec"]!["containers"]!.AsArray().Select(c => c!.AsObject()).Single(c => Str(c["name"]) == name);

    public static IReadOnlyDictionary<string, string> Labels(JsonObject? metadata) =>
        metadata?["labels"]?.AsObject().ToDictionary(p => p.Key, p => Str(p.Value)!) ?? new Dictionary<string, string>();

    public static string? Str(JsonNode? node) => node?.ToString();

    // Every YAML document → JSON (YamlDotNet reads scalars as strings, so numbers compare as text).
    private static List<JsonObject> Parse(string yaml)
    {
        var deserializer = new DeserializerBuilder().Build();
        var json = new SerializerBuilder().JsonCompatible().Build();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        var objects = new List<JsonObject>();
        while (parser.Accept<DocumentStart>(out _))
        {
            var document = deserializer.Deserialize<object>(parser);
            if (document is not null)
                objects.Add(JsonNode.Parse(json.Serialize(document))!.AsObject());
        }
        return objects;
    }
}
