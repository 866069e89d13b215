namespace PruneCluster.Engine.Data;

/// <summary>Choices for <see cref="ValidationSet.Load"/>; the defaults reproduce YOLOv7's test.py.</summary>
public sealed record ValidationSetOptions
{
    /// <summary>What a bad label row costs: the whole image (YOLOv7) or only the row.</summary>
    public LabelPolicy LabelPolicy { get; init; } = LabelPolicy.YoloV7;

    /// <summary>Read labels from this COCO instances json (matched by image file name) instead of YOLO .txt files.</summary>
    public CocoAnnotations? CocoAnnotations { get; init; }

    /// <summary>Folder for a cache file of the letterboxed pixels (one file per image list and settings); null = no file.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// Share decoded pixels with the other live sets of the same images and settings that use this cache instead of
    /// decoding again; null = decode this set's own.
    /// </summary>
    public DecodedImageCache? SharedImages { get; init; }
}
