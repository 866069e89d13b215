namespace PruneCluster.Engine.Data;

/// <summary>What happens to an image whose labels contain a bad row.</summary>
public enum LabelPolicy
{
    /// <summary>
    /// YOLOv7's rule (utils/datasets.py cache_labels): any bad row, duplicates included, makes the image
    /// "corrupted" and it leaves the set together with all its labels. Every bad row is still reported.
    /// Evaluations then see exactly the images YOLOv7's test.py sees.
    /// </summary>
    YoloV7,

    /// <summary>
    /// Lenient: each bad row is dropped on its own (later duplicates of a row are dropped, the first is kept,
    /// as newer Ultralytics loaders do) and the image stays with its valid rows.
    /// </summary>
    DropBadRows,
}
