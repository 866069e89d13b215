namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// What pycocotools' <c>evaluateImg</c> keeps for one image, category and area range: detections in score order
/// (at most the largest maxDets), per IoU threshold whether each is matched and whether it is ignored, and which
/// ground truths are ignored.
/// </summary>
/// <param name="Scores">dtScores, sorted highest first (stable).</param>
/// <param name="Matched">[T, D]: <c>dtMatches != 0</c>, the matched ground truth's id being non-zero.</param>
/// <param name="Ignored">[T, D]: dtIgnore.</param>
/// <param name="GroundTruthIgnored">gtIgnore, in the matcher's order (not ignored first).</param>
internal sealed record CocoImageMatch(double[] Scores, bool[,] Matched, bool[,] Ignored, bool[] GroundTruthIgnored);
