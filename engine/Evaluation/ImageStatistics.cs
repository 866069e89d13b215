namespace PruneCluster.Engine.Evaluation;

/// <summary>test.py's per-image <c>stats</c> tuple: (correct, conf, pred cls, target cls).</summary>
internal sealed record ImageStatistics(bool[,] Correct, double[] Confidence, int[] PredictedClass, int[] TargetClass);
