namespace PruneCluster.Engine.Benchmark;

/// <summary>How a latency measurement runs.</summary>
/// <param name="Img">Square input size.</param>
/// <param name="Batch">Images per run; latencies are reported per image.</param>
/// <param name="Threads">Intra-op threads of ONNX Runtime (TorchSharp's are the process's, set by the caller).</param>
/// <param name="Warmup">Runs before timing starts (allocations, kernel selection).</param>
/// <param name="Runs">Timed runs.</param>
/// <param name="ProfileRuns">ONNX Runtime: runs of a second, profiled session that give the per-conv times (its
/// per-node timestamps slow a run down, so the latency comes from the unprofiled one).</param>
public sealed record LatencyOptions(int Img = 640, int Batch = 1, int Threads = 1, int Warmup = 10, int Runs = 100, int ProfileRuns = 10);
