namespace PruneCluster.Engine.Data;

/// <summary>
/// One image of a <see cref="ValidationSet"/>: its file, sizes, letterbox and labels. test.py's shapes entry
/// ((h0, w0), ((h / h0, w / w0), (dw, dh))) is <see cref="OriginalHeight"/>, <see cref="OriginalWidth"/>,
/// <see cref="GainHeight"/>, <see cref="GainWidth"/>, <see cref="Letterbox"/>.PadWidth and .PadHeight.
/// </summary>
public sealed class ValidationImage
{
    internal ValidationImage(string path, string? labelFile, int originalHeight, int originalWidth, int resizedHeight, int resizedWidth,
        LetterboxGeometry letterbox, int batch, int slot, IReadOnlyList<NormalizedLabel> sourceLabels)
    {
        Path = path;
        LabelFile = labelFile;
        OriginalHeight = originalHeight;
        OriginalWidth = originalWidth;
        ResizedHeight = resizedHeight;
        ResizedWidth = resizedWidth;
        Letterbox = letterbox;
        Batch = batch;
        Slot = slot;
        SourceLabels = sourceLabels;
        Targets = sourceLabels.Select(l => LetterboxLabels.ToTarget(l, resizedHeight, resizedWidth, letterbox)).ToList();
        Labels = Targets.Select(t => LetterboxLabels.ToPixels(t, letterbox)).ToList();
    }

    public string Path { get; }

    /// <summary>The label file (or annotations json) the labels came from; it may not exist (no objects).</summary>
    public string? LabelFile { get; }

    /// <summary>h0, w0: the decoded image's size.</summary>
    public int OriginalHeight { get; }

    public int OriginalWidth { get; }

    /// <summary>h, w after load_image (long side = imgSize).</summary>
    public int ResizedHeight { get; }

    public int ResizedWidth { get; }

    /// <summary>h / h0: the gain test.py's scale_coords divides by.</summary>
    public double GainHeight => (double)ResizedHeight / OriginalHeight;

    /// <summary>w / w0.</summary>
    public double GainWidth => (double)ResizedWidth / OriginalWidth;

    /// <summary>The letterbox into the batch shape (padding dw, dh and the extra scale, 1 for rect batches).</summary>
    public LetterboxGeometry Letterbox { get; }

    /// <summary>Index of the batch that holds the image, and its place in it.</summary>
    public int Batch { get; }

    public int Slot { get; }

    /// <summary>The labels as read (normalised to the original image).</summary>
    public IReadOnlyList<NormalizedLabel> SourceLabels { get; }

    /// <summary>The labels as collate_fn hands them to test.py: normalised to the letterboxed image.</summary>
    public IReadOnlyList<NormalizedLabel> Targets { get; }

    /// <summary>The labels as corners in letterboxed pixels (test.py's tbox before scale_coords).</summary>
    public IReadOnlyList<PixelLabel> Labels { get; }

    /// <summary>
    /// test.py's scale_coords with this image's ratio_pad: remove the padding, divide by h / h0, clip to the
    /// original image. Float32 like the tensors it works on in test.py.
    /// </summary>
    public (float X1, float Y1, float X2, float Y2) ToOriginal(float x1, float y1, float x2, float y2)
    {
        var (padX, padY, gain) = ((float)Letterbox.PadWidth, (float)Letterbox.PadHeight, (float)GainHeight);
        return (Clip((x1 - padX) / gain, OriginalWidth), Clip((y1 - padY) / gain, OriginalHeight),
            Clip((x2 - padX) / gain, OriginalWidth), Clip((y2 - padY) / gain, OriginalHeight));
    }

    private static float Clip(float value, int limit) => Math.Clamp(value, 0f, limit);
}
