using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PruneCluster.Engine.Checkpoints;

namespace PruneCluster.Engine.Pruning;

/// <summary>
/// A <see cref="PruningPlan"/> as a small JSON file: the filters each pruned layer keeps, so a pruning chosen once (by
/// <c>prune --save-plan</c>, a sensitivity variant, a cluster campaign) is replayed exactly (<c>prune</c>/<c>test
/// --plan FILE</c>) instead of being chosen again. Plain data, no tensors:
/// <code>{"format": "prunecluster-pruning-plan/1", "steps": [{"layer": 21, "channels_before": 64, "kept": [0, 2, …]}], "skipped": [{"layer": 3, "rate": 1.0, "channels": 32, "reason": "…"}]}</code>
/// </summary>
public static class PruningPlanFile
{
    public const string Format = "prunecluster-pruning-plan/1";

    /// <summary>Writes the plan atomically.</summary>
    public static void Write(string path, PruningPlan plan) =>
        AtomicFile.Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(ToJson(plan))));

    public static string ToJson(PruningPlan plan) =>
        new JsonObject
        {
            ["format"] = Format,
            ["steps"] = new JsonArray([.. plan.Steps.Select(s => (JsonNode)new JsonObject
            {
                ["layer"] = s.Layer, ["channels_before"] = s.ChannelsBefore, ["kept"] = new JsonArray([.. s.Kept.Select(k => (JsonNode)k)]),
            })]),
            ["skipped"] = new JsonArray([.. plan.Skipped.Select(s => (JsonNode)new JsonObject
            {
                ["layer"] = s.Layer, ["rate"] = s.Rate, ["channels"] = s.Channels, ["reason"] = s.Reason,
            })]),
        }.ToJsonString() + "\n";

    /// <summary>Reads and checks a plan file.</summary>
    /// <exception cref="PruningException">Missing, not a plan, or an impossible step (one line naming the file).</exception>
    public static PruningPlan Read(string path)
    {
        if (!File.Exists(path))
            throw new PruningException($"--plan {path}: file not found; write one with prune --save-plan");
        return Parse(File.ReadAllText(path), path);
    }

    /// <exception cref="PruningException">As <see cref="Read"/>; <paramref name="source"/> names the input.</exception>
    public static PruningPlan Parse(string json, string source)
    {
        PruningException Bad(string problem) => new($"{source}: {problem}; give a file written by prune --save-plan");
        T Field<T>(JsonNode? node, string name) => node?[name] is { } value ? value.GetValue<T>() : throw Bad($"an entry has no \"{name}\"");
        try
        {
            var root = JsonNode.Parse(json) as JsonObject ?? throw Bad("not a JSON object");
            if (root["format"] is not JsonValue format || !format.TryGetValue<string>(out var name) || name != Format)
                throw Bad($"format is not {Format}");
            var steps = new List<PruningPlan.Step>();
            foreach (var node in root["steps"] as JsonArray ?? throw Bad("no \"steps\" list"))
            {
                var layer = Field<int>(node, "layer");
                var before = Field<long>(node, "channels_before");
                var kept = (node!["kept"] as JsonArray ?? throw Bad($"layer {layer} has no \"kept\" list")).Select(k => k?.GetValue<long>() ?? throw Bad($"layer {layer}: a kept index is null")).ToList();
                if (kept.Count == 0 || kept.Count >= before || kept[0] < 0 || kept[^1] >= before || kept.Zip(kept.Skip(1)).Any(p => p.First >= p.Second))
                    throw Bad($"layer {layer}: kept must be increasing filter indices below its {before.ToString(CultureInfo.InvariantCulture)} filters, at least one removed and one kept");
                if (steps.Any(s => s.Layer == layer))
                    throw Bad($"layer {layer} appears twice");
                steps.Add(new PruningPlan.Step(layer, before, kept));
            }
            var skipped = (root["skipped"] as JsonArray ?? new JsonArray()).Select(node =>
                new PruningPlan.SkippedLayer(Field<int>(node, "layer"), Field<double>(node, "rate"), Field<long>(node, "channels"), Field<string>(node, "reason"))).ToList();
            return new PruningPlan(steps, skipped);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw Bad($"not a pruning plan ({CheckpointException.OneLine(e.Message)})");
        }
    }
}
