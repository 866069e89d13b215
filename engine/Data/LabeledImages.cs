namespace PruneCluster.Engine.Data;

/// <summary>
/// YOLOv7's cache_labels pass shared by the evaluation and the training loaders: for every listed image (in order),
/// check that it exists, read its labels from the source and run the <see cref="LabelChecker"/>; issues are collected,
/// skipped images leave the list.
/// </summary>
internal static class LabeledImages
{
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
