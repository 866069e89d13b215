namespace PruneCluster.Engine.Data;

/// <summary>
/// One ground-truth object as COCO evaluation sees it: the json's own <c>bbox</c> (top-left x, y, width, height in
/// original pixels), <c>area</c> (for real COCO the segmentation area, not width × height) and <c>iscrowd</c>.
/// </summary>
/// <param name="Id">Annotation id (pycocotools treats a match to id 0 as no match; kept as in the json).</param>
/// <param name="CategoryId">The json's category id (not the class index).</param>
/// <param name="Area">What the area ranges (small/medium/large) are judged by.</param>
/// <param name="IsCrowd">A crowd region: never a miss, and any number of detections may fall on it without counting as false positives.</param>
public readonly record struct CocoAnnotation(long Id, int CategoryId, double X, double Y, double Width, double Height, double Area, bool IsCrowd);
