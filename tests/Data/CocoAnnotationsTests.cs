using System.Text.Json;
using PruneCluster.Engine.Data;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Data;

/// <summary>What <see cref="CocoAnnotations"/> keeps for COCO evaluation beside the YOLO labels, and its fit checks.</summary>
public sealed class CocoAnnotationsTests
{
    private static readonly string Json = SharedData.Coco128Instances;

    [Fact]
    public void Crowd_rows_stay_available_with_the_jsons_area_but_are_not_turned_into_labels()
    {
        // coco128's image 257 (000000000257.jpg) has a crowd annotation (person, area 11750, bbox [16, 301, 611, 178]).
        using var document = JsonDocument.Parse(File.ReadAllText(Json));
        var rows = document.RootElement.GetProperty("annotations").EnumerateArray()
            .Where(a => a.GetProperty("image_id").GetInt64() == 257).ToList();
        var image = SharedData.Dataset("coco128/images/train2017/000000000257.jpg");

        var coco = CocoAnnotations.Load(Json);
        var objects = coco.AnnotationsFor(image);

        Assert.Equal(257, coco.ImageIdOf(image));
        Assert.Equal(rows.Select(r => r.GetProperty("id").GetInt64()), objects.Select(o => o.Id));
        Assert.Equal(rows.Select(r => r.GetProperty("area").GetDouble()), objects.Select(o => o.Area));
        var crowd = Assert.Single(objects, o => o.IsCrowd);
        Assert.Equal((1, 16.0, 301.0, 611.0, 178.0, 11750.0), (crowd.CategoryId, crowd.X, crowd.Y, crowd.Width, crowd.Height, crowd.Area));
        Assert.Equal(objects.Count - 1, coco.LabelsFor(image).Count);
    }

    [Fact]
    public void A_json_missing_images_of_the_split_is_one_line_naming_it_and_the_first_missing_image()
    {
        using var set = new TempDataset();
        set.AddImage("val", "a");
        set.AddImage("val", "b");
        var json = set.WriteFile("instances_val.json", """
            {"categories": [{"id": 1, "name": "RBC"}, {"id": 2, "name": "WBC"}, {"id": 3, "name": "Platelets"}],
             "images": [{"id": 1, "file_name": "a.jpg", "width": 640, "height": 480}],
             "annotations": []}
            """);
        var data = DataYaml.Load(set.WriteYaml());

        var error = Assert.Throws<DatasetException>(() => CocoAnnotations.Load(json).CheckMatches(data, "val"));

        Assert.Contains(json, error.Message);
        Assert.Contains("1 of the 2 images", error.Message);
        Assert.Contains("b.jpg", error.Message);
        Assert.Contains("pass the instances json", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_json_with_another_number_of_categories_than_nc_is_refused()
    {
        var data = DataYaml.Load(SharedData.Dataset("bccd/bccd.yaml"));

        var error = Assert.Throws<DatasetException>(() => CocoAnnotations.Load(Json).CheckMatches(data, "val"));

        Assert.Contains("80 categories", error.Message);
        Assert.Contains("nc: 3", error.Message);
    }
}
