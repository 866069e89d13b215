using System.Text.Json;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Evaluation;

/// <summary>COCO evaluation against a real instances json (coco128: 939 annotations, 10 of them crowd regions, areas from segmentations).</summary>
public sealed class Coco128CocoEvaluationTests
{
    private static readonly string Json = SharedData.Coco128Instances;

    [Fact]
    public void Detections_on_every_non_crowd_box_find_everything_and_ar1_is_images_per_object_of_each_category()
    {
        // The json read here on its own: per image its file name and annotations (category, bbox, iscrowd).
        using var document = JsonDocument.Parse(File.ReadAllText(Json));
        var root = document.RootElement;
        var categoryIds = root.GetProperty("categories").EnumerateArray().Select(c => c.GetProperty("id").GetInt32()).Order().ToList();
        var annotations = root.GetProperty("annotations").EnumerateArray().Select(a => (
            Image: a.GetProperty("image_id").GetInt64(),
            Category: a.GetProperty("category_id").GetInt32(),
            Box: a.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
            Crowd: a.GetProperty("iscrowd").GetInt32() == 1)).ToList();
        var images = root.GetProperty("images").EnumerateArray()
            .Select(i => (Id: i.GetProperty("id").GetInt64(), File: i.GetProperty("file_name").GetString()!)).ToList();

        // One detection per non-crowd box (xyxy, class = rank of the category id, all scores equal), none on crowds.
        var file = new MetricsFile(80, images.Select(image =>
        {
            var boxes = annotations.Where(a => a.Image == image.Id && !a.Crowd).ToList();
            var predictions = new double[boxes.Count, 6];
            for (var r = 0; r < boxes.Count; r++)
            {
                var b = boxes[r].Box;
                (predictions[r, 0], predictions[r, 1], predictions[r, 2], predictions[r, 3]) = (b[0], b[1], b[0] + b[2], b[1] + b[3]);
                (predictions[r, 4], predictions[r, 5]) = (0.5, categoryIds.IndexOf(boxes[r].Category));
            }
            return new MetricsImage(new double[0, 5], predictions, SharedData.Dataset("coco128/images/train2017/" + image.File));
        }).ToList());

        var coco = file.ScoreCoco(CocoAnnotations.Load(Json));

        // Every object found (IoU ~1 after test.py's rounding) and the crowd regions not counted as misses: recall 1
        // in every area range (judged by the json's segmentation areas). AP is 1 up to the 1 − 2⁻⁵² precision of
        // categories with a single object.
        Assert.Equal(new[] { 1.0, 1.0, 1.0, 1.0 }, new[] { coco.Ar100, coco.ArSmall, coco.ArMedium, coco.ArLarge });
        Assert.Equal(1.0, coco.Ap, 12);
        // maxDets 1: each image's first detection of a category is a true positive, so a category's recall is
        // (images holding it) / (its non-crowd objects) at every IoU; AR1 averages that over the categories present.
        var expectedAr1 = annotations.Where(a => !a.Crowd).GroupBy(a => a.Category)
            .Select(g => (double)g.Select(a => a.Image).Distinct().Count() / g.Count()).Average();
        Assert.Equal(expectedAr1, coco.Ar1, 12);
        Assert.True(coco.Ar1 < 0.9, $"AR1 {coco.Ar1}"); // many images hold several objects of a category
        Assert.Equal((images.Count, annotations.Count), (coco.Images, coco.Annotations));
    }

    [Fact]
    public void An_image_the_json_does_not_list_is_refused_naming_the_json()
    {
        var file = new MetricsFile(80, [new MetricsImage(new double[0, 5], new double[0, 6], "/elsewhere/images/not-in-coco.jpg")]);

        var error = Assert.Throws<EvaluationException>(() => file.ScoreCoco(CocoAnnotations.Load(Json)));

        Assert.Contains(Json, error.Message);
        Assert.Contains("not-in-coco.jpg", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
