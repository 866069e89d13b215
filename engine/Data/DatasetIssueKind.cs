namespace PruneCluster.Engine.Data;

/// <summary>Why an image or a label row was left out of a <see cref="ValidationSet"/>.</summary>
public enum DatasetIssueKind
{
    /// <summary>The image file does not exist (e.g. a stale line of a .txt image list).</summary>
    MissingImage,

    /// <summary>OpenCV cannot decode the image, or it is smaller than 10 pixels on a side (YOLOv7's verify step).</summary>
    CorruptImage,

    /// <summary>The label file exists but cannot be read.</summary>
    UnreadableLabels,

    /// <summary>A row has neither 5 columns (a box) nor a class followed by an even number of polygon coordinates.</summary>
    WrongColumnCount,

    /// <summary>A value is not a finite number.</summary>
    NotANumber,

    /// <summary>A value is below 0.</summary>
    NegativeValue,

    /// <summary>A coordinate is above 1 (labels must be normalised to the image size).</summary>
    CoordinateOutOfRange,

    /// <summary>The class is not a whole number.</summary>
    NonIntegerClass,

    /// <summary>The class is not below the data yaml's nc.</summary>
    ClassOutOfRange,

    /// <summary>The row repeats an earlier row of the same image exactly.</summary>
    DuplicateRow,
}
