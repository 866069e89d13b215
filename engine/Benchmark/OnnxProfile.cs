using System.Text.Json;
using PruneCluster.Engine.Export;

namespace PruneCluster.Engine.Benchmark;

/// <summary>
/// Reads ONNX Runtime's profiler trace (a JSON array of Chrome trace events): every "Node" kernel event of a Conv
/// (or FusedConv) whose node name carries a conv-layer index (<see cref="OnnxExporter.ConvIndexOf"/>; ONNX Runtime
/// names a conv it fuses or re-lays out after its output value, which the exporter names after the conv) adds its
/// duration to that layer.
/// </summary>
public static class OnnxProfile
{
    /// <summary>
    /// Mean milliseconds per run of each conv layer, over the trace's runs (its "model_run" events) after the first
    /// <paramref name="warmupRuns"/>, which a new session spends allocating.
    /// </summary>
    public static IReadOnlyDictionary<int, double> ConvTimes(string traceJson, int warmupRuns = 1)
    {
        using var document = JsonDocument.Parse(traceJson);
        var events = document.RootElement.EnumerateArray().ToList();
        var runs = events.Where(e => Category(e) == "Session" && e.GetProperty("name").GetString() == "model_run")
            .Select(e => (Start: e.GetProperty("ts").GetDouble(), End: e.GetProperty("ts").GetDouble() + e.GetProperty("dur").GetDouble()))
            .OrderBy(r => r.Start).ToList();
        if (runs.Count <= warmupRuns)
            throw new InvalidDataException($"the profiler trace holds {runs.Count} runs; at least {warmupRuns + 1} are needed");
        var from = warmupRuns == 0 ? double.MinValue : runs[warmupRuns - 1].End;
        var totals = new Dictionary<int, double>();
        foreach (var e in events)
        {
            if (Category(e) != "Node" || e.GetProperty("ts").GetDouble() < from)
                continue;
            var name = e.GetProperty("name").GetString() ?? "";
            // Each node has a fence_before, a kernel_time and a fence_after event; the kernel time is the work.
            if (!name.EndsWith("_kernel_time", StringComparison.Ordinal) || !IsConv(e) || OnnxExporter.ConvIndexOf(name) is not { } layer)
                continue;
            totals[layer] = totals.GetValueOrDefault(layer) + e.GetProperty("dur").GetDouble() / 1000;
        }
        var counted = runs.Count - warmupRuns;
        return totals.ToDictionary(t => t.Key, t => t.Value / counted);
    }

    // Conv, or the FusedConv ONNX Runtime makes of a conv and its activation (the activation's time then counts too).
    private static bool IsConv(JsonElement e) =>
        e.TryGetProperty("args", out var args) && args.TryGetProperty("op_name", out var op) && op.GetString() is "Conv" or "FusedConv";

    private static string? Category(JsonElement e) => e.TryGetProperty("cat", out var cat) ? cat.GetString() : null;
}
