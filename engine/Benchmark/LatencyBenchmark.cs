using System.Diagnostics;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using PruneCluster.Engine.Export;
using PruneCluster.Engine.Models;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Benchmark;

/// <summary>
/// Latency of a model on the CPU: ONNX Runtime on an exported graph (with per-conv times from its profiler) or
/// TorchSharp on the fused model. Inputs are fixed random images (the time does not depend on their content).
/// </summary>
public static class LatencyBenchmark
{
    public static LatencyResult OnnxRuntime(ModelProto onnx, LatencyOptions options, IProgress<BenchmarkProgress>? progress = null)
    {
        var bytes = onnx.ToByteArray();
        var input = new DenseTensor<float>(RandomImages(options), [options.Batch, 3, options.Img, options.Img]);
        var inputs = new[] { NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input) };
        (List<double> Wall, List<double> Cpu) timed;
        using (var sessionOptions = SessionOptions(options))
        using (var session = new InferenceSession(bytes, sessionOptions))
            timed = Time(() => session.Run(inputs).Dispose(), options.Warmup, options.Runs, "", progress);

        var folder = Directory.CreateTempSubdirectory("prunecluster-profile-").FullName;
        try
        {
            using var profiled = SessionOptions(options);
            // The prefix first: setting EnableProfiling starts the profiler with the prefix it has then.
            profiled.ProfileOutputPathPrefix = Path.Combine(folder, "ort");
            profiled.EnableProfiling = true;
            string trace;
            using (var session = new InferenceSession(bytes, profiled))
            {
                // The first run of a new session allocates; the trace reader leaves it out.
                Time(() => session.Run(inputs).Dispose(), 0, options.ProfileRuns + 1, "profiled ", progress);
                trace = session.EndProfiling();
            }
            return new LatencyResult(options.Batch, timed.Wall, timed.Cpu, OnnxProfile.ConvTimes(File.ReadAllText(trace), warmupRuns: 1));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>TorchSharp's forward of <paramref name="model"/> (fused for a fair comparison); threads are the process's.</summary>
    public static LatencyResult Torch(YoloModel model, LatencyOptions options, IProgress<BenchmarkProgress>? progress = null)
    {
        var device = model.parameters().First().device;
        using var x = tensor(RandomImages(options), [options.Batch, 3, options.Img, options.Img], device: device);
        using var _ = inference_mode();
        var timed = Time(() => model.forward(x).Dispose(), options.Warmup, options.Runs, "", progress);
        return new LatencyResult(options.Batch, timed.Wall, timed.Cpu, new Dictionary<int, double>());
    }

    private static SessionOptions SessionOptions(LatencyOptions options) => new()
    {
        IntraOpNumThreads = options.Threads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    private static (List<double> Wall, List<double> Cpu) Time(Action run, int warmup, int runs, string label, IProgress<BenchmarkProgress>? progress)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < warmup; i++)
        {
            run();
            progress?.Report(new BenchmarkProgress(label + "warm-up", i + 1, warmup, clock.Elapsed));
        }
        using var process = Process.GetCurrentProcess();
        clock.Restart();
        var (wall, cpu) = (new List<double>(runs), new List<double>(runs));
        for (var i = 0; i < runs; i++)
        {
            process.Refresh();
            var (start, cpuStart) = (clock.Elapsed, process.TotalProcessorTime);
            run();
            process.Refresh();
            wall.Add((clock.Elapsed - start).TotalMilliseconds);
            cpu.Add((process.TotalProcessorTime - cpuStart).TotalMilliseconds);
            progress?.Report(new BenchmarkProgress(label + "timed", i + 1, runs, clock.Elapsed));
        }
        return (wall, cpu);
    }

    private static float[] RandomImages(LatencyOptions options)
    {
        var random = new Random(0);
        var values = new float[options.Batch * 3 * options.Img * options.Img];
        for (var i = 0; i < values.Length; i++)
            values[i] = (float)random.NextDouble();
        return values;
    }
}
