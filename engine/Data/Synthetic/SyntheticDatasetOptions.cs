using System.Globalization;

namespace PruneCluster.Engine.Data.Synthetic;

/// <summary>What <see cref="SyntheticDataset.Write"/> makes: how many square images of which size, how many classes, the seed and the split.</summary>
public sealed record SyntheticDatasetOptions
{
    /// <summary>Largest class count: one class per <see cref="ShapeKind"/>.</summary>
    public static readonly int MaxClasses = Enum.GetValues<ShapeKind>().Length;

    public const int MinImageSize = 64;
    public const int MaxImageSize = 4096;

    /// <summary>Images in total (train + val), at least 2 so that both splits have one.</summary>
    public int Images { get; init; } = 1000;

    /// <summary>Classes 1..<see cref="MaxClasses"/>: the first N shape kinds (unless <see cref="Kinds"/> names them).</summary>
    public int Classes { get; init; } = 4;

    /// <summary>The shape kinds to label, in class-id order; null = the first <see cref="Classes"/> kinds.</summary>
    public IReadOnlyList<ShapeKind>? Kinds { get; init; }

    /// <summary>The labelled shape kinds; class id = position.</summary>
    public IReadOnlyList<ShapeKind> ClassKinds => Kinds ?? Enum.GetValues<ShapeKind>().Take(Classes).ToList();

    /// <summary>Width and height of every image in pixels, a multiple of 32 (YOLOv7's largest stride).</summary>
    public int ImageSize { get; init; } = 320;

    /// <summary>Fixes every pixel and label; the same seed gives byte-identical files.</summary>
    public long Seed { get; init; }

    /// <summary>Share of the images that go to val (rounded, at least one image in each split).</summary>
    public double ValFraction { get; init; } = 0.2;

    /// <summary>Object sizes (circumscribed diameter) are log-uniform between these shares of the image size; the
    /// smallest is at least <see cref="SyntheticSceneGenerator.MinSizePixels"/> pixels whatever the image size.</summary>
    public double MinObjectSize { get; init; } = 0.05;

    /// <inheritdoc cref="MinObjectSize"/>
    public double MaxObjectSize { get; init; } = 0.4;

    /// <summary>Each image gets 1 to this many objects (fewer where the occlusion rule leaves no room).</summary>
    public int MaxObjects { get; init; } = 8;

    /// <summary>
    /// Least share of each object's pixels left visible (not covered by later objects, not outside the image), above 0
    /// and at most 1. The default 0.5 makes partly hidden objects; 1 makes every object whole (neither covered nor cut
    /// by the edge).
    /// </summary>
    public double MinVisible { get; init; } = 0.5;

    /// <summary>The most objects an image can hold (the generator's owner map has one byte per pixel).</summary>
    public const int MaxObjectsLimit = 64;

    /// <summary>Images made at once (the result does not depend on it); null = one per processor.</summary>
    public int? Threads { get; init; }

    /// <summary>Images of the val split: the last ones by index.</summary>
    public int ValImages => double.IsFinite(ValFraction)
        ? Math.Clamp((int)Math.Round(Images * ValFraction, MidpointRounding.AwayFromZero), 1, Math.Max(1, Images - 1))
        : 1;

    public int TrainImages => Images - ValImages;

    /// <summary>The class names, index = class id.</summary>
    public IReadOnlyList<string> ClassNames => ClassKinds.Select(NameOf).ToList();

    public static string NameOf(ShapeKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Reads "circle,ring" (names as <see cref="NameOf"/> gives them); null when a name is unknown.</summary>
    public static IReadOnlyList<ShapeKind>? ParseKinds(string text)
    {
        var kinds = new List<ShapeKind>();
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var kind = Enum.GetValues<ShapeKind>().Where(k => NameOf(k) == name.ToLowerInvariant()).Cast<ShapeKind?>().FirstOrDefault();
            if (kind is null)
                return null;
            kinds.Add(kind.Value);
        }
        return kinds;
    }

    private static string KindList => string.Join(", ", Enum.GetValues<ShapeKind>().Select(NameOf));

    /// <summary>Throws <see cref="DatasetException"/> with a one-line message (named after the CLI options) when an option is out of range.</summary>
    public void Validate()
    {
        if (Error() is { } message)
            throw new DatasetException(message);
    }

    /// <summary>The one-line message for the first option out of range, or null.</summary>
    public string? Error()
    {
        if (Images < 2)
            return $"--images {Images}: a data set needs at least 2 images (one for train, one for val); use --images 2 or more";
        if (Classes < 1 || Classes > MaxClasses)
            return $"--classes {Classes}: the generator has {MaxClasses} shape kinds ({KindList}); use 1 to {MaxClasses}";
        if (Kinds is { } kinds && (kinds.Count == 0 || kinds.Distinct().Count() != kinds.Count))
            return $"--kinds {string.Join(",", kinds.Select(NameOf))}: name each shape kind once, e.g. circle,ring (kinds: {KindList})";
        if (ImageSize < MinImageSize || ImageSize > MaxImageSize || ImageSize % 32 != 0)
            return $"--img {ImageSize}: the image size must be a multiple of 32 (YOLOv7's stride) from {MinImageSize} to {MaxImageSize}; use e.g. {Math.Clamp((ImageSize + 31) / 32 * 32, MinImageSize, MaxImageSize)}";
        if (!(ValFraction > 0 && ValFraction < 1))
            return $"--val-fraction {ValFraction}: the share of val images must be above 0 and below 1; use e.g. 0.2";
        if (!(MinObjectSize > 0 && MinObjectSize <= MaxObjectSize && MaxObjectSize <= 1))
            return string.Create(CultureInfo.InvariantCulture, $"--object-size {MinObjectSize},{MaxObjectSize}: give MIN,MAX as shares of the image size with 0 < MIN <= MAX <= 1, e.g. 0.05,0.4");
        if (MaxObjects < 1 || MaxObjects > MaxObjectsLimit)
            return $"--max-objects {MaxObjects}: use 1 to {MaxObjectsLimit}";
        if (!(MinVisible > 0 && MinVisible <= 1))
            return string.Create(CultureInfo.InvariantCulture, $"--min-visible {MinVisible}: the least visible share of an object must be above 0 and at most 1; use e.g. 0.5");
        if (Threads is < 1)
            return $"threads {Threads}: use at least 1";
        return null;
    }
}
