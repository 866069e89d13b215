using PruneCluster.Engine.Data;
using PruneCluster.Tests.Support;
using Xunit;

namespace PruneCluster.Tests.Data;

public sealed class Coco128ValidationSetTests
{
    private static readonly string Yaml = SharedData.Dataset("coco128/coco128.yaml");

    [Fact]
    public void Coco128_loads_every_image_with_the_rows_of_its_label_file()
    {
        var images = Directory.GetFiles(SharedData.Dataset("coco128/images/train2017"), "*.jpg");
        var expectedLabels = images.Select(YoloLabelPaths.ForImage).Where(File.Exists).Sum(f => File.ReadAllLines(f).Count(l => l.Trim().Length > 0));

        using var set = ValidationSet.Load(DataYaml.Load(Yaml), "val", 640, 32, options: TestImageCache.Options);

        Assert.Equal(images.Length, set.Images.Count);
        Assert.Equal(expectedLabels, set.LabelCount);
        Assert.Empty(set.Issues);
        Assert.Equal(images.Count(i => !File.Exists(YoloLabelPaths.ForImage(i))), set.LabelFilesMissing);
    }

    [Fact]
    public void Coco128_rect_batches_follow_the_sorted_aspect_ratios_of_the_jpeg_headers()
    {
        var ratios = Directory.GetFiles(SharedData.Dataset("coco128/images/train2017"), "*.jpg")
            .Select(JpegHeader.Size).Select(s => (double)s.Height / s.Width).Order().ToList();

        using var set = ValidationSet.Load(DataYaml.Load(Yaml), "val", 640, 32, options: TestImageCache.Options);

        Assert.Equal(ratios, set.Images.Select(i => (double)i.OriginalHeight / i.OriginalWidth));
        Assert.Equal(RectBatchShapes.Compute(ratios, 32, 640, 32, 0.5), set.Batches.Select(b => (b.Height, b.Width)));
        Assert.All(set.Images, i => Assert.True(i.Letterbox.Height == set.Batches[i.Batch].Height && i.Letterbox.Width == set.Batches[i.Batch].Width));
    }

    [Fact]
    public void Coco_json_labels_equal_the_yolo_txt_labels_to_their_six_decimals()
    {
        var data = DataYaml.Load(Yaml);
        var coco = CocoAnnotations.Load(SharedData.Coco128Instances);

        using var fromJson = ValidationSet.Load(data, "val", 640, 32, options: new ValidationSetOptions { CocoAnnotations = coco });
        using var fromTxt = ValidationSet.Load(data, "val", 640, 32);

        Assert.Equal(data.Names, coco.CategoryNames);
        Assert.Equal(fromTxt.LabelCount, fromJson.LabelCount);
        foreach (var (json, txt) in fromJson.Images.Zip(fromTxt.Images))
        {
            Assert.Equal(txt.Path, json.Path);
            Assert.Equal(txt.SourceLabels.Count, json.SourceLabels.Count);
            var unmatched = json.SourceLabels.ToList();
            foreach (var e in txt.SourceLabels)
            {
                // Rows may come in another order: pair each txt row with the closest json row of its class.
                var a = unmatched.Where(l => l.Class == e.Class).MinBy(l => Math.Abs(l.CenterX - e.CenterX) + Math.Abs(l.CenterY - e.CenterY)
                    + Math.Abs(l.Width - e.Width) + Math.Abs(l.Height - e.Height));
                unmatched.Remove(a);
                Assert.Equal(e.CenterX, a.CenterX, 1e-5f);
                Assert.Equal(e.CenterY, a.CenterY, 1e-5f);
                Assert.Equal(e.Width, a.Width, 1e-5f);
                Assert.Equal(e.Height, a.Height, 1e-5f);
            }
        }
    }

    [Fact]
    public void Bad_coco_annotations_are_reported_with_the_json_and_annotation_id()
    {
        using var set = new TempDataset();
        set.AddImage("val", "a");
        set.AddImage("val", "b");
        var json = set.WriteFile("instances_val.json", """
            {"categories": [{"id": 5, "name": "RBC"}, {"id": 9, "name": "WBC"}, {"id": 11, "name": "Platelets"}],
             "images": [{"id": 1, "file_name": "a.jpg", "width": 640, "height": 480},
                        {"id": 2, "file_name": "b.jpg", "width": 640, "height": 480}],
             "annotations": [{"id": 10, "image_id": 1, "category_id": 9, "bbox": [64, 48, 128, 96], "iscrowd": 0},
                             {"id": 11, "image_id": 1, "category_id": 5, "bbox": [0, 0, 10, 10], "iscrowd": 1},
                             {"id": 20, "image_id": 2, "category_id": 11, "bbox": [600, 0, 100, 10], "iscrowd": 0}]}
            """);
        var coco = CocoAnnotations.Load(json);

        using var loaded = ValidationSet.Load(DataYaml.Load(set.WriteYaml()), "val", 320, 32, options: new ValidationSetOptions { CocoAnnotations = coco });

        var label = Assert.Single(Assert.Single(loaded.Images).SourceLabels);
        Assert.Equal(new NormalizedLabel(1, 0.2f, 0.2f, 0.2f, 0.2f), label);
        var issue = Assert.Single(loaded.Issues);
        Assert.Equal((json, 20L, DatasetIssueKind.CoordinateOutOfRange), (issue.File, issue.Line!.Value, issue.Kind));
        Assert.Equal(set.PathOf("images/val/b.jpg"), issue.Image);
        Assert.Equal(1, loaded.SkippedImages);
    }

    [Fact]
    public void Not_a_coco_json_is_a_one_line_error()
    {
        using var set = new TempDataset();
        var json = set.WriteFile("instances_val.json", "{\"images\": []}");

        var error = Assert.Throws<DatasetException>(() => CocoAnnotations.Load(json));

        Assert.Contains(json, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Label_path_replaces_the_first_images_folder_and_the_suffix()
    {
        Assert.Equal("/d/labels/x/images/a.b.txt", YoloLabelPaths.ForImage("/d/images/x/images/a.b.JPG"));
        Assert.Equal("/d/other/a.txt", YoloLabelPaths.ForImage("/d/other/a.png"));
        Assert.Equal(SharedData.Dataset("coco128/labels/train2017/000000000009.txt"),
            YoloLabelPaths.ForImage(SharedData.Dataset("coco128/images/train2017/000000000009.jpg")));
    }
}
