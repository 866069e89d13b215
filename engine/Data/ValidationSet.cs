namespace PruneCluster.Engine.Data;

/// <summary>
/// A split prepared exactly like YOLOv7's test.py loader (create_dataloader(..., rect=True, pad=0.5), augment=False):
/// images sorted by path, bad ones reported and skipped, then decoded, resized, sorted by aspect ratio, cut into
/// rect batches and letterboxed — once. The uint8 result is kept (and shared with other live sets of the same images
/// and settings, and optionally cached on disk), so evaluating again only pays for the uint8→float32 tensor.
/// <para>
/// Dispose releases this set's hold on the pixels (they are freed once no other set shares them); afterwards the
/// batches' <see cref="ValidationBatch.Pixels"/> and Create* throw <see cref="ObjectDisposedException"/>, while
/// images, labels and issues stay readable. Tensors already created belong to the caller.
/// </para>
/// </summary>
public sealed class ValidationSet : IDisposable
{
    private LetterboxedImageStore? _store;

    private ValidationSet(DataYaml data, LetterboxedImageStore store, ValidationSetSettings settings, List<DatasetIssue> issues, LabelTally tally,
        IReadOnlyList<KeptImage> kept, ImageCacheSource source)
    {
        _store = store;
        Data = data;
        Settings = settings;
        Source = source;
        LabelFilesFound = tally.Found;
        LabelFilesMissing = tally.Missing;
        LabelFilesEmpty = tally.Empty;

        foreach (var (image, keptImage) in store.Images.Zip(kept).Where(p => !p.First.Decoded))
            issues.Add(new DatasetIssue(keptImage.Path, keptImage.Path, null, image.FailureKind!.Value, image.FailureReason!, ImageSkipped: true));
        Issues = issues;

        Batches = store.Batches.Select((batch, b) => new ValidationBatch(this, b, batch, batch.ImageIndices.Select(i =>
        {
            var stored = store.Images[i];
            return new ValidationImage(kept[i].Path, kept[i].Read.File, stored.OriginalHeight, stored.OriginalWidth,
                stored.ResizedHeight, stored.ResizedWidth, stored.Letterbox!, b, stored.Slot, kept[i].Labels);
        }).ToList())).ToList();
        Images = Batches.SelectMany(b => b.Images).ToList();
    }

    /// <summary>The data yaml the split came from (class count and names).</summary>
    public DataYaml Data { get; }

    /// <summary>The split, image size, batch size, stride and pad the set was prepared with.</summary>
    public ValidationSetSettings Settings { get; }

    /// <summary>Rect batches in YOLOv7's iteration order.</summary>
    public IReadOnlyList<ValidationBatch> Batches { get; }

    /// <summary>All images in iteration (rect) order.</summary>
    public IReadOnlyList<ValidationImage> Images { get; }

    public int LabelCount => Images.Sum(i => i.Labels.Count);

    /// <summary>Everything skipped or dropped, in sorted-path order (label problems first, then decode problems).</summary>
    public IReadOnlyList<DatasetIssue> Issues { get; }

    /// <summary>Images that left the set (YOLOv7's "corrupted" count).</summary>
    public int SkippedImages => Issues.Where(i => i.ImageSkipped).Select(i => i.Image).Distinct().Count();

    /// <summary>YOLOv7's nf, nm, ne: label files found (empty ones included), missing (image has no objects), empty — over the images kept.</summary>
    public int LabelFilesFound { get; }

    public int LabelFilesMissing { get; }

    public int LabelFilesEmpty { get; }

    /// <summary>Whether the pixels were decoded now, shared from memory, or read from the cache file.</summary>
    public ImageCacheSource Source { get; }

    public void Dispose() => _store = null;

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_store is null, this);

    /// <summary>
    /// Loads <paramref name="split"/> (train, val or test) of a data yaml for evaluation at <paramref name="imgSize"/>.
    /// Bad images and label rows go to <see cref="Issues"/>; a missing source, an empty split or a split where every
    /// image was skipped throws <see cref="DatasetException"/>.
    /// </summary>
    public static ValidationSet Load(DataYaml data, string split, int imgSize, int batchSize, int stride = 32, double pad = 0.5,
        ValidationSetOptions? options = null)
    {
        var settings = new ValidationSetSettings(split, imgSize, batchSize, stride, pad);
        settings.Validate();
        options ??= new ValidationSetOptions();
        var issues = new List<DatasetIssue>();
        var tally = new LabelTally();
        ILabelSource labels = options.CocoAnnotations is { } coco ? new CocoLabelSource(coco) : new YoloTextLabelSource();
        var kept = LabeledImages.ReadSplit(data, split, labels, options.LabelPolicy, issues, tally);
        var where = LabeledImages.Where(data, split);

        var key = LetterboxedImageCache.Key(kept.Select(k => k.Path).ToList(), imgSize, batchSize, stride, pad);
        var (store, source) = ObtainStore(key, kept, settings, options);
        if (!store.Images.Any(i => i.Decoded))
            throw new DatasetException($"no image of the {where} could be decoded (first: {kept[0].Path}: {store.Images[0].FailureReason}); fix the image files");
        return new ValidationSet(data, store, settings, issues, tally, kept, source);
    }

    private static (LetterboxedImageStore, ImageCacheSource) ObtainStore(string key,
        List<KeptImage> kept, ValidationSetSettings settings, ValidationSetOptions options)
    {
        if (options.SharedImages?.Find(key) is { } shared)
            return (shared, ImageCacheSource.Memory);
        var (store, source) = options.CacheDirectory is { } directory && LetterboxedImageCache.FromDisk(directory, key) is { } saved
            ? (saved, ImageCacheSource.Disk)
            : (LetterboxedImageBuilder.Build(key, kept.Select(k => k.Path).ToList(), settings.ImageSize, settings.BatchSize,
                settings.Stride, settings.Pad), ImageCacheSource.Decoded);
        if (source == ImageCacheSource.Decoded && options.CacheDirectory is { } cacheDirectory)
            LetterboxedImageCache.Save(cacheDirectory, store);
        options.SharedImages?.Remember(store);
        return (store, source);
    }
}
