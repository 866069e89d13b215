namespace PruneCluster.Engine.Data.Synthetic;

/// <summary>
/// One synthetic image in memory, as <see cref="SyntheticDataset"/> writes it: the BGR pixels, the objects (labels)
/// and, for checks, which object each pixel shows.
/// </summary>
public sealed class SyntheticScene(int size, byte[] bgr, byte[] owner, IReadOnlyList<SyntheticObject> objects)
{
    /// <summary>The <see cref="Owner"/> value of a background pixel.</summary>
    public const byte Background = byte.MaxValue;

    /// <summary>Width and height in pixels.</summary>
    public int Size { get; } = size;

    /// <summary>Pixels, row-major, 3 bytes per pixel in OpenCV's B, G, R order.</summary>
    public byte[] Bgr { get; } = bgr;

    /// <summary>Per pixel (row-major): the index into <see cref="Objects"/> of the object it shows, or <see cref="Background"/>.</summary>
    public byte[] Owner { get; } = owner;

    /// <summary>The labelled objects, back to front.</summary>
    public IReadOnlyList<SyntheticObject> Objects { get; } = objects;

    /// <summary>The YOLO label file's content: one row per object, each ending in a newline.</summary>
    public string LabelText() => string.Concat(Objects.Select(o => o.LabelLine(Size) + "\n"));
}
