namespace PruneCluster.Engine.Data;

/// <summary>
/// YOLOv7's cache_labels pass shared by the evaluation and the training loaders: for every listed image (in order),
/// check that it exists, read its labels from the source and run the <see cref="LabelChecker"/>; issues are collected,
/// skipped images leave the list.
/// </summary>
internal static class LabeledImages
{
    /// <summary>How error messages name a split: the yaml entry that lists it.</summary>
    public static string Where(DataYaml data, string split) => $"'{split}:' entry of {data.YamlPath}";

    /// <summary>
    /// Lists a split of a data yaml and reads its labels; throws <see cref="DatasetException"/> when the split has no
    /// image or every image was skipped.
    /// </summary>
    public static List<KeptImage> ReadSplit(DataYaml data, string split, ILabelSource labels, LabelPolicy policy,
        List<DatasetIssue> issues, LabelTally tally)
    {
        var sources = data.Split(split);
        var where = Where(data, split);
        var paths = ImageListing.List(sources, where);
        if (paths.Count == 0)
            throw new DatasetException($"no images found in {string.Join(", ", sources)} ({where}); add images (.jpg, .png, ...) or fix the entry");
        var kept = Read(paths, data.ClassCount, labels, policy, issues, tally);
        if (kept.Count == 0)
            throw new DatasetException($"every image of the {where} was skipped ({issues.Count} issues, first: {issues[0]}); fix the images or labels");
        return kept;
    }

    public static List<KeptImage> Read(IReadOnlyList<string> paths, int classCount, ILabelSource labels, LabelPolicy policy,
        List<DatasetIssue> issues, LabelTally tally)
    {
        var kept = new List<KeptImage>(paths.Count);
        foreach (var path in paths)
        {
            // YOLOv7 verifies the image before its labels, so a missing image hides any label problem.
            if (!File.Exists(path))
            {
                issues.Add(new DatasetIssue(path, path, null, DatasetIssueKind.MissingImage, "image file does not exist", ImageSkipped: true));
                continue;
            }
            var read = labels.Read(path, policy);
            var checkedLabels = LabelChecker.Check(path, read, classCount, policy);
            issues.AddRange(checkedLabels.Issues);
            if (checkedLabels.SkipImage)
                continue;
            tally.Count(read.State);
            kept.Add(new KeptImage(path, read, checkedLabels.Labels));
        }
        return kept;
    }
}
