using System.ComponentModel;
using System.Globalization;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Benchmark;
using PruneCluster.Engine.Export;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Plots;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands;

/// <summary>
/// <c>prunecluster benchmark</c>: measured CPU latency of the fused (optionally pruned) model, per image, with ONNX
/// Runtime (and its per-conv profile) or TorchSharp; against a baseline, the speed-ups next to the GFLOPs ratio.
/// </summary>
public sealed class BenchmarkCommand : Command<BenchmarkCommand.Settings>
{
    public sealed class Settings : PruningSettings
    {
        [CommandOption("--baseline <PATH>")]
        [Description("Unpruned checkpoint to compare with: speed-ups of the whole network and of the convolutions, next to the GFLOPs ratio.")]
        public string? Baseline { get; init; }

        [CommandOption("--img <SIZE>")]
        [Description("Square input size (default 640), rounded up to a multiple of the model's max stride.")]
        [DefaultValue(640)]
        public int Img { get; init; } = 640;

        [CommandOption("--batch <N>")]
        [Description("Images per run (default 1); latencies are per image.")]
        [DefaultValue(1)]
        public int Batch { get; init; } = 1;

        [CommandOption("--runtime <onnxruntime|torch>")]
        [Description("onnxruntime (default: the exported graph, with per-conv times from its profiler) or torch (TorchSharp's forward).")]
        [DefaultValue("onnxruntime")]
        public string Runtime { get; init; } = "onnxruntime";

        [CommandOption("--threads <N>")]
        [Description("Compute threads (default: the machine's cores).")]
        public int? Threads { get; init; }

        [CommandOption("--warmup <N>")]
        [Description("Untimed runs first (default 10).")]
        [DefaultValue(10)]
        public int Warmup { get; init; } = 10;

        [CommandOption("--runs <N>")]
        [Description("Timed runs (default 100): median and p90.")]
        [DefaultValue(100)]
        public int Runs { get; init; } = 100;

        [CommandOption("--profile-runs <N>")]
        [Description("onnxruntime: runs of a separate profiled session for the per-conv times (default 10).")]
        [DefaultValue(10)]
        public int ProfileRuns { get; init; } = 10;

        [CommandOption("--plot <PNG>")]
        [Description("onnxruntime with --baseline: write a PNG of the time per conv layer, pruned against unpruned.")]
        public string? Plot { get; init; }

        [CommandOption("--json")]
        [Description("Print one JSON document instead of the table.")]
        public bool Json { get; init; }

        public bool Onnx => Runtime.Equals("onnxruntime", StringComparison.OrdinalIgnoreCase);

        public override ValidationResult Validate()
        {
            if (!Onnx && !Runtime.Equals("torch", StringComparison.OrdinalIgnoreCase))
                return ValidationResult.Error($"--runtime {Runtime}: use onnxruntime or torch");
            if (Baseline != null && !File.Exists(Baseline))
                return ValidationResult.Error($"--baseline {Baseline}: file not found");
            if (Batch is < 1 or > 4096)
                return ValidationResult.Error($"--batch {Batch}: use 1..4096");
            if (Threads is < 1 or > 1024)
                return ValidationResult.Error($"--threads {Threads}: use 1..1024");
            if (Warmup is < 0 or > 100_000 || Runs is < 1 or > 100_000 || ProfileRuns is < 1 or > 100_000)
                return ValidationResult.Error("--warmup, --runs, --profile-runs: use 0..100000 warm-up runs and 1..100000 (profiled) runs");
            if (Plot != null && (Baseline == null || !Onnx))
                return ValidationResult.Error("--plot needs --baseline and --runtime onnxruntime (it compares conv times)");
            return ImageSizeOption.Validate(Img) is { Successful: false } error ? error : base.Validate();
        }
    }

    private sealed record Measured(string Name, double Gflops, LatencyResult Latency);

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var threads = settings.Threads ?? Environment.ProcessorCount;
        // The CLI process runs one benchmark, so TorchSharp's process-wide thread count is its own to set.
        TorchSharp.torch.set_num_threads(threads);
        using var deploy = DeployModel.Open(settings);
        var img = ImageSizeOption.ForModel(deploy.Model, settings.Img);
        var options = new LatencyOptions(img, settings.Batch, threads, settings.Warmup, settings.Runs, settings.ProfileRuns);
        var measured = new List<Measured>();
        if (settings.Baseline != null)
        {
            using var baseline = ModelFile.Load(settings.Baseline, settings.Cfg);
            baseline.Model.Fuse();
            measured.Add(Measure("baseline", baseline.Model, settings, options));
        }
        measured.Add(Measure("model", deploy.Model, settings, options));
        var (model, reference) = (measured[^1], measured.Count > 1 ? measured[0] : null);
        double? speedup = reference == null ? null : reference.Latency.MedianMs / model.Latency.MedianMs;
        double? convSpeedup = reference?.Latency.ConvTotalMs / model.Latency.ConvTotalMs;
        double? gflopsRatio = reference == null ? null : reference.Gflops / model.Gflops;
        if (settings.Plot != null)
            ConvTimePlot.Write(settings.Plot, model.Latency.ConvMs, reference!.Latency.ConvMs,
                string.Create(CultureInfo.InvariantCulture, $"ONNX Runtime, {threads} thread(s), img {img}: conv time per layer (conv speed-up {convSpeedup:F2}x, GFLOPs ratio {gflopsRatio:F2}x)"));
        if (settings.Json)
        {
            JsonOutput.Print(new
            {
                Runtime = settings.Onnx ? "onnxruntime" : "torch",
                Img = img,
                settings.Batch,
                Threads = threads,
                settings.Runs,
                Models = measured.Select(m => new
                {
                    m.Name,
                    Gflops = Math.Round(m.Gflops, 3),
                    MedianMs = Math.Round(m.Latency.MedianMs, 3),
                    P90Ms = Math.Round(m.Latency.P90Ms, 3),
                    MedianCpuMs = Math.Round(m.Latency.MedianCpuMs, 3),
                    ConvMs = m.Latency.ConvTotalMs is { } c ? Math.Round(c, 3) : (double?)null,
                    ConvLayersMs = m.Latency.ConvMs.Count == 0 ? null : m.Latency.ConvMs.OrderBy(c => c.Key).ToDictionary(c => c.Key.ToString(CultureInfo.InvariantCulture), c => Math.Round(c.Value / settings.Batch, 4)),
                }),
                Speedup = Round(speedup),
                ConvSpeedup = Round(convSpeedup),
                GflopsRatio = Round(gflopsRatio),
                Plot = settings.Plot,
            });
            return 0;
        }
        var table = new Table().AddColumns("model", "GFLOPs", "median ms/img", "p90 ms/img", "conv ms/img");
        foreach (var m in measured)
            table.AddRow(m.Name, m.Gflops.ToString("F2", CultureInfo.InvariantCulture), m.Latency.MedianMs.ToString("F2", CultureInfo.InvariantCulture),
                m.Latency.P90Ms.ToString("F2", CultureInfo.InvariantCulture), m.Latency.ConvTotalMs?.ToString("F2", CultureInfo.InvariantCulture) ?? "-");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"{(settings.Onnx ? "ONNX Runtime" : "TorchSharp")}, {threads} thread(s), img {img}, batch {settings.Batch}, {settings.Runs} runs"));
        if (reference != null)
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"speed-up {speedup:F2}x{(convSpeedup is { } c2 ? $", conv-only {c2:F2}x" : "")}, GFLOPs ratio {gflopsRatio:F2}x"));
        return 0;
    }

    private static Measured Measure(string name, YoloModel model, Settings settings, LatencyOptions options)
    {
        var gflops = ModelMeasure.Measure(model, options.Img).Gflops;
        var progress = new ProgressLine(name);
        var latency = settings.Onnx
            ? LatencyBenchmark.OnnxRuntime(OnnxExporter.Build(model, new OnnxExportOptions(options.Img, options.Batch)), options, progress)
            : LatencyBenchmark.Torch(model, options, progress);
        return new Measured(name, gflops, latency);
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 3) : null;
}
