using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Training.Data;

/// <summary>
/// The images and checked labels of a training split, listed and checked exactly like the evaluation loader does
/// (YOLOv7's LoadImagesAndLabels.__init__ / cache_labels): sorted paths, bad images and rows reported in
/// <see cref="Issues"/> and skipped. Pixels are decoded later, by the <see cref="TrainingLoader"/>'s workers.
/// </summary>
public sealed class TrainingSet
{
    private TrainingSet(DataYaml data, string split, IReadOnlyList<string> images, IReadOnlyList<IReadOnlyList<NormalizedLabel>> labels,
        IReadOnlyList<DatasetIssue> issues)
    {
        Data = data;
        Split = split;
        Images = images;
        Labels = labels;
        Issues = issues;
    }

    /// <summary>The data yaml the split came from (class count and names).</summary>
    public DataYaml Data { get; }

    public string Split { get; }

    /// <summary>Image paths in YOLOv7's order (sorted); index i of a sample refers to this list.</summary>
    public IReadOnlyList<string> Images { get; }

    /// <summary>The labels kept for each image, normalised to the original image.</summary>
    public IReadOnlyList<IReadOnlyList<NormalizedLabel>> Labels { get; }

    /// <summary>Everything skipped or dropped while loading, in path order.</summary>
    public IReadOnlyList<DatasetIssue> Issues { get; }

    public int Count => Images.Count;

    /// <summary>Loads a split (train by default); throws <see cref="DatasetException"/> when nothing usable remains.</summary>
    public static TrainingSet Load(DataYaml data, string split = "train", TrainingSetOptions? options = null)
    {
        options ??= new TrainingSetOptions();
        var sources = data.Split(split);
        var where = $"'{split}:' entry of {data.YamlPath}";
        var paths = ImageListing.List(sources, where);
        if (paths.Count == 0)
            throw new DatasetException($"no images found in {string.Join(", ", sources)} ({where}); add images (.jpg, .png, ...) or fix the entry");
        var issues = new List<DatasetIssue>();
        var kept = LabeledImages.Read(paths, data.ClassCount, new YoloTextLabelSource(), options.LabelPolicy, issues, new LabelTally());
        if (options.Strict && issues.Count > 0)
            throw new DatasetException($"{issues[0]}; fix the file or load without strict checks to skip it");
        if (kept.Count == 0)
            throw new DatasetException($"every image of the {where} was skipped ({issues.Count} issues, first: {issues[0]}); fix the images or labels");
        // YOLOv7 refuses to train when no image has a label file (nf == 0).
        if (kept.All(k => k.Read.State == LabelFileState.Missing))
            throw new DatasetException($"no label files found for the {where}; put YOLO .txt labels in the labels/ folder beside images/");
        var labels = kept.Select(k => (IReadOnlyList<NormalizedLabel>)(options.SingleClass ? k.Labels.Select(l => l with { Class = 0 }).ToList() : k.Labels)).ToList();
        return new TrainingSet(data, split, kept.Select(k => k.Path).ToList(), labels, issues);
    }
}
