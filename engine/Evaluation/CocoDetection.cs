namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// One detection as pycocotools' <c>loadRes</c> holds a result-json entry: top-left x, y, width, height in original
/// pixels, the json's category id and the score.
/// </summary>
public readonly record struct CocoDetection(int CategoryId, double X, double Y, double Width, double Height, double Score)
{
    /// <summary><c>loadRes</c> sets <c>area = bb[2] * bb[3]</c>; the area ranges judge unmatched detections by it.</summary>
    public double Area => Width * Height;
}
