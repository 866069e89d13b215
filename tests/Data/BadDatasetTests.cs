using PruneCluster.Engine.Data;
using Xunit;

namespace PruneCluster.Tests.Data;

/// <summary>Broken datasets built in temp folders: each problem is reported, the rest of the set still loads.</summary>
public sealed class BadDatasetTests
{
    private const string GoodRow = "0 0.5 0.5 0.2 0.2";

    // One bad row per kind; each file also holds a good row.
    private static readonly (string Name, string Row, DatasetIssueKind Kind)[] BadRows =
    [
        ("columns", "0 0.5 0.5 0.2", DatasetIssueKind.WrongColumnCount),
        ("text", "0 0.5 abc 0.2 0.2", DatasetIssueKind.NotANumber),
        ("negative", "0 -0.1 0.5 0.2 0.2", DatasetIssueKind.NegativeValue),
        ("range", "0 0.5 0.5 1.5 0.2", DatasetIssueKind.CoordinateOutOfRange),
        ("fraction", "1.5 0.5 0.5 0.2 0.2", DatasetIssueKind.NonIntegerClass),
        ("class", "3 0.5 0.5 0.2 0.2", DatasetIssueKind.ClassOutOfRange),
        ("duplicate", GoodRow, DatasetIssueKind.DuplicateRow),
    ];

    [Fact]
    public void Missing_images_folder_is_a_one_line_error_naming_it()
    {
        using var set = new TempDataset();
        var data = DataYaml.Load(set.WriteYaml(val: "images/nowhere"));

        var error = Assert.Throws<DatasetException>(() => ValidationSet.Load(data, "val", 320, 32));

        Assert.Contains(set.PathOf("images/nowhere"), error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Empty_val_folder_is_a_clear_error()
    {
        using var set = new TempDataset();
        Directory.CreateDirectory(set.PathOf("images/val"));
        set.WriteFile("images/val/readme.md", "not an image");
        var data = DataYaml.Load(set.WriteYaml());

        var error = Assert.Throws<DatasetException>(() => ValidationSet.Load(data, "val", 320, 32));

        Assert.Contains("no images found", error.Message);
        Assert.Contains(set.PathOf("images/val"), error.Message);
    }

    [Fact]
    public void Under_the_yolov7_policy_each_bad_row_kind_is_reported_and_its_image_skipped()
    {
        using var set = new TempDataset();
        set.AddImage("val", "good", $"{GoodRow}\n0 0.3 0.3 0.1 0.1\n");
        foreach (var (name, row, _) in BadRows)
            set.AddImage("val", name, $"{GoodRow}\n{row}\n");
        var data = DataYaml.Load(set.WriteYaml());

        using var loaded = ValidationSet.Load(data, "val", 320, 32);

        var only = Assert.Single(loaded.Images);
        Assert.EndsWith("good.jpg", only.Path);
        Assert.Equal(2, only.Labels.Count);
        foreach (var (name, _, kind) in BadRows)
        {
            var issue = Assert.Single(loaded.Issues, i => Path.GetFileName(i.File) == $"{name}.txt");
            Assert.Equal(kind, issue.Kind);
            Assert.Equal(2, issue.Line);
            Assert.True(issue.ImageSkipped);
        }
        Assert.Equal(BadRows.Length, loaded.SkippedImages);
    }

    [Fact]
    public void Under_the_drop_bad_rows_policy_valid_rows_are_kept_and_each_bad_row_reported()
    {
        using var set = new TempDataset();
        var rows = string.Join('\n', [GoodRow, .. BadRows.Select(r => r.Row), "2 0.1 0.9 0.05 0.05"]);
        set.AddImage("val", "mixed", rows);
        var data = DataYaml.Load(set.WriteYaml());

        using var loaded = ValidationSet.Load(data, "val", 320, 32, options: new ValidationSetOptions { LabelPolicy = LabelPolicy.DropBadRows });

        var image = Assert.Single(loaded.Images);
        Assert.Equal([0, 2], image.SourceLabels.Select(l => l.Class));
        Assert.Equal(BadRows.Select(r => r.Kind), loaded.Issues.Select(i => i.Kind));
        Assert.Equal(Enumerable.Range(2, BadRows.Length).Select(i => (long?)i), loaded.Issues.Select(i => i.Line));
        Assert.All(loaded.Issues, i => Assert.False(i.ImageSkipped));
    }

    [Fact]
    public void Polygon_rows_become_their_bounding_box()
    {
        using var set = new TempDataset();
        set.AddImage("val", "polygon", "1 0.2 0.3 0.6 0.3 0.6 0.7 0.2 0.7\n");
        var data = DataYaml.Load(set.WriteYaml());

        using var loaded = ValidationSet.Load(data, "val", 320, 32);

        var label = Assert.Single(Assert.Single(loaded.Images).SourceLabels);
        Assert.Equal(1, label.Class);
        Assert.Equal(0.4f, label.CenterX, 1e-6f);
        Assert.Equal(0.5f, label.CenterY, 1e-6f);
        Assert.Equal(0.4f, label.Width, 1e-6f);
        Assert.Equal(0.4f, label.Height, 1e-6f);
    }

    [Fact]
    public void Box_row_in_a_polygon_file_is_read_as_two_points_as_yolov7_does()
    {
        using var set = new TempDataset();
        set.AddImage("val", "mixed", "1 0.2 0.3 0.6 0.3 0.6 0.7 0.2 0.7\n0 0.5 0.4 0.1 0.2\n");
        var data = DataYaml.Load(set.WriteYaml());

        using var loaded = ValidationSet.Load(data, "val", 320, 32);

        // YOLOv7 reads every row of such a file as a polygon: "0.5 0.4 0.1 0.2" is the points (0.5, 0.4), (0.1, 0.2).
        var box = Assert.Single(loaded.Images).SourceLabels[1];
        Assert.Equal((0.3f, 0.3f, 0.4f, 0.2f), (box.CenterX, box.CenterY, box.Width, box.Height));
    }

    [Fact]
    public void Missing_label_file_means_no_objects_and_empty_file_counts_as_found_and_empty_like_yolov7()
    {
        using var set = new TempDataset();
        set.AddImage("val", "unlabelled");
        set.AddImage("val", "empty", "\n");
        var data = DataYaml.Load(set.WriteYaml());

        using var loaded = ValidationSet.Load(data, "val", 320, 32);

        Assert.Equal(2, loaded.Images.Count);
        Assert.Equal(0, loaded.LabelCount);
        Assert.Empty(loaded.Issues);
        Assert.Equal((1, 1, 1), (loaded.LabelFilesFound, loaded.LabelFilesMissing, loaded.LabelFilesEmpty));
    }

    [Fact]
    public void Missing_image_in_a_txt_list_and_an_undecodable_image_are_reported_and_skipped()
    {
        using var set = new TempDataset();
        var kept = set.AddImage("val", "kept", GoodRow);
        set.WriteFile("images/val/broken.jpg", "this is not a jpeg");
        set.WriteFile("val.txt", $"./images/val/kept.jpg\n./images/val/gone.jpg\n{set.PathOf("images/val/broken.jpg")}\n");
        var data = DataYaml.Load(set.WriteYaml(val: "val.txt"));

        using var loaded = ValidationSet.Load(data, "val", 320, 32, options: new ValidationSetOptions());

        Assert.Equal(kept, Assert.Single(loaded.Images).Path);
        var missing = Assert.Single(loaded.Issues, i => i.Kind == DatasetIssueKind.MissingImage);
        Assert.Equal(set.PathOf("images/val/gone.jpg"), missing.File);
        var corrupt = Assert.Single(loaded.Issues, i => i.Kind == DatasetIssueKind.CorruptImage);
        Assert.Equal(set.PathOf("images/val/broken.jpg"), corrupt.File);
        Assert.Equal(2, loaded.SkippedImages);
    }

    [Fact]
    public void Hidden_files_and_non_image_suffixes_in_the_folder_are_not_images()
    {
        using var set = new TempDataset();
        set.AddImage("val", "a", GoodRow);
        set.AddImage("val/sub", "b", GoodRow);
        set.WriteFile("images/val/._a.jpg", "macOS resource fork");
        set.WriteFile("images/val/notes.txt", "not an image");
        var data = DataYaml.Load(set.WriteYaml());

        using var loaded = ValidationSet.Load(data, "val", 320, 32);

        Assert.Equal([set.PathOf("images/val/a.jpg"), set.PathOf("images/val/sub/b.jpg")], loaded.Images.Select(i => i.Path).Order(StringComparer.Ordinal));
        Assert.Empty(loaded.Issues);
        Assert.Equal(2, loaded.LabelFilesFound);
    }

    [Fact]
    public void Split_where_every_image_is_skipped_is_a_clear_error()
    {
        using var set = new TempDataset();
        set.AddImage("val", "bad", "7 0.5 0.5 0.2 0.2");
        var data = DataYaml.Load(set.WriteYaml());

        var error = Assert.Throws<DatasetException>(() => ValidationSet.Load(data, "val", 320, 32));

        Assert.Contains("every image", error.Message);
        Assert.Contains("bad.txt", error.Message);
    }

    [Fact]
    public void Image_size_not_a_multiple_of_the_stride_is_rejected_with_the_fix()
    {
        using var set = new TempDataset();
        set.AddImage("val", "a", GoodRow);
        var data = DataYaml.Load(set.WriteYaml());

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ValidationSet.Load(data, "val", 300, 32));

        Assert.Contains("use 320", error.Message);
    }
}
