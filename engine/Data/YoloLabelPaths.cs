namespace PruneCluster.Engine.Data;

/// <summary>YOLOv7's img2label_paths: where the label file of an image lives.</summary>
public static class YoloLabelPaths
{
    private static readonly string ImagesSegment = $"{Path.DirectorySeparatorChar}images{Path.DirectorySeparatorChar}";
    private static readonly string LabelsSegment = $"{Path.DirectorySeparatorChar}labels{Path.DirectorySeparatorChar}";

    /// <summary>
    /// The FIRST "/images/" of the path becomes "/labels/" (YOLOv7 uses str.replace(.., 1); later Ultralytics
    /// versions switched to the last one) and the suffix after the last dot becomes "txt".
    /// </summary>
    public static string ForImage(string imagePath)
    {
        var at = imagePath.IndexOf(ImagesSegment, StringComparison.Ordinal);
        var path = at < 0 ? imagePath : string.Concat(imagePath.AsSpan(0, at), LabelsSegment, imagePath.AsSpan(at + ImagesSegment.Length));
        var dot = path.LastIndexOf('.');
        return dot < 0 ? path + ".txt" : path[..(dot + 1)] + "txt";
    }
}
