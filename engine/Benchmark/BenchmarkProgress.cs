namespace PruneCluster.Engine.Benchmark;

/// <summary>A benchmark's progress: <paramref name="Done"/> of <paramref name="Total"/> runs of <paramref name="Phase"/> (warm-up, timed, profiled).</summary>
public readonly record struct BenchmarkProgress(string Phase, int Done, int Total, TimeSpan Elapsed);
