namespace PruneCluster.Engine.Data;

/// <summary>
/// YOLOv7's label checks (utils/datasets.py cache_labels) — no negative value, coordinates at most 1, no duplicate
/// rows — plus two it leaves to train.py or skips: the class must be a whole number below nc.
/// Every bad row becomes a <see cref="DatasetIssue"/>; the policy decides whether the image or only the row goes.
/// </summary>
internal static class LabelChecker
{
    public static LabelCheckResult Check(string image, LabelRead read, int classCount, LabelPolicy policy)
    {
        if (read.State == LabelFileState.Unreadable)
            return LabelCheckResult.Skip(new DatasetIssue(image, read.File, null, DatasetIssueKind.UnreadableLabels,
                $"cannot read label file: {read.UnreadableReason}", ImageSkipped: true));

        var skipImage = policy == LabelPolicy.YoloV7;
        var labels = new List<NormalizedLabel>(read.Rows.Count);
        var issues = new List<DatasetIssue>();
        var seen = new HashSet<(float, float, float, float, float)>();
        foreach (var row in read.Rows)
        {
            var problem = row.Values is { } values ? FindProblem(values, classCount) : (row.Error!.Value, row.Reason!);
            if (problem is null && !seen.Add(Key(row.Values!)))
                problem = (DatasetIssueKind.DuplicateRow, "row repeats an earlier row exactly");
            if (problem is { } p)
            {
                issues.Add(new DatasetIssue(image, read.File, row.Line, p.Kind, p.Reason, skipImage));
                continue;
            }
            var v = row.Values!;
            labels.Add(new NormalizedLabel((int)v[0], v[1], v[2], v[3], v[4]));
        }
        return skipImage && issues.Count > 0 ? new LabelCheckResult([], issues, SkipImage: true) : new LabelCheckResult(labels, issues, false);
    }

    private static (DatasetIssueKind Kind, string Reason)? FindProblem(float[] v, int classCount)
    {
        if (v.Any(x => !float.IsFinite(x)))
            return (DatasetIssueKind.NotANumber, "row holds a value that is not a finite number");
        if (v.Any(x => x < 0))
            return (DatasetIssueKind.NegativeValue, "negative value; labels must be class >= 0 and coordinates in 0..1");
        if (v.Skip(1).Any(x => x > 1))
            return (DatasetIssueKind.CoordinateOutOfRange, "coordinate above 1; labels must be normalised to the image size (0..1)");
        if (v[0] != MathF.Floor(v[0]))
            return (DatasetIssueKind.NonIntegerClass, $"class {v[0]} is not a whole number");
        if (v[0] >= classCount)
            return (DatasetIssueKind.ClassOutOfRange, $"class {v[0]} is not below nc={classCount} of the data yaml");
        return null;
    }

    // +0f turns -0 into +0 so that rows numpy's unique() calls equal also hash equal here.
    private static (float, float, float, float, float) Key(float[] v) => (v[0] + 0f, v[1] + 0f, v[2] + 0f, v[3] + 0f, v[4] + 0f);
}
