namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// What YOLOv7's <c>utils.metrics.ap_per_class</c> returns: one row per class that has labels (in ascending class
/// order), P/R/F1 at the confidence where the class-mean F1 peaks, and AP at each IoU threshold.
/// </summary>
/// <param name="Classes">Classes that occur among the labels, ascending (<c>ap_class</c>).</param>
/// <param name="Precision">Precision per class at the max-mean-F1 confidence.</param>
/// <param name="Recall">Recall per class at the max-mean-F1 confidence.</param>
/// <param name="F1">F1 per class at the max-mean-F1 confidence.</param>
/// <param name="Ap">AP per class (rows) and IoU threshold (columns).</param>
public sealed record ApPerClassResult(int[] Classes, double[] Precision, double[] Recall, double[] F1, double[,] Ap);
