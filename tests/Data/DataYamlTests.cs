using PruneCluster.Engine.Data;
using PruneCluster.Tests.Support;
using Xunit;

namespace PruneCluster.Tests.Data;

public sealed class DataYamlTests
{
    [Fact]
    public void Bccd_yaml_gives_three_classes_and_splits_resolved_beside_the_yaml()
    {
        var data = DataYaml.Load(SharedData.Dataset("bccd/bccd.yaml"));

        Assert.Equal(3, data.ClassCount);
        Assert.Equal(["RBC", "WBC", "Platelets"], data.Names);
        Assert.Equal([Path.GetFullPath(SharedData.Dataset("bccd/images/val"))], data.Split("val"));
        Assert.Equal([Path.GetFullPath(SharedData.Dataset("bccd/images/test"))], data.Split("test"));
    }

    [Fact]
    public void Coco128_yaml_has_80_names_and_val_is_the_train_folder()
    {
        var data = DataYaml.Load(SharedData.Dataset("coco128/coco128.yaml"));

        Assert.Equal(80, data.ClassCount);
        Assert.Equal(80, data.Names.Count);
        Assert.Equal("person", data.Names[0]);
        Assert.Equal(data.Split("train"), data.Split("val"));
        Assert.False(data.HasSplit("test"));
    }

    [Fact]
    public void Nc_different_from_names_count_is_a_one_line_error_naming_the_yaml()
    {
        using var set = new TempDataset();
        var yaml = set.WriteYaml(nc: 4);

        var error = Assert.Throws<DatasetException>(() => DataYaml.Load(yaml));

        Assert.Contains(yaml, error.Message);
        Assert.Contains("nc is 4 but names lists 3", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Split_missing_from_the_yaml_is_an_error_naming_the_key()
    {
        using var set = new TempDataset();
        var data = DataYaml.Load(set.WriteYaml());

        var error = Assert.Throws<DatasetException>(() => data.Split("test"));

        Assert.Contains("'test:'", error.Message);
    }

    [Fact]
    public void A_split_can_list_several_sources_and_names_can_be_a_map()
    {
        using var set = new TempDataset();
        var yaml = set.WriteFile("data.yaml", "val: [images/a, lists/b.txt]\nnc: 2\nnames: {0: cat, 1: dog}\n");

        var data = DataYaml.Load(yaml);

        Assert.Equal([set.PathOf("images/a"), set.PathOf("lists/b.txt")], data.Split("val"));
        Assert.Equal(["cat", "dog"], data.Names);
    }

    [Fact]
    public void Relative_path_beside_the_yaml_wins_over_the_working_folder_which_is_the_fallback()
    {
        using var set = new TempDataset();
        var onlyInWorkingFolder = Path.Combine(Path.GetTempPath(), $"prunecluster-cwd-{Guid.NewGuid():N}");
        var both = $"prunecluster-both-{Guid.NewGuid():N}";
        var bothInWorkingFolder = Path.GetFullPath(both);
        Directory.CreateDirectory(onlyInWorkingFolder);
        Directory.CreateDirectory(bothInWorkingFolder);
        Directory.CreateDirectory(set.PathOf(both));
        try
        {
            var relativeToWorkingFolder = Path.GetRelativePath(Directory.GetCurrentDirectory(), onlyInWorkingFolder);
            var yaml = set.WriteFile("data.yaml", $"val: {both}\ntest: {relativeToWorkingFolder}\nnc: 1\nnames: [a]\n");

            var data = DataYaml.Load(yaml);

            Assert.Equal([set.PathOf(both)], data.Split("val"));
            Assert.Equal([onlyInWorkingFolder], data.Split("test"));
        }
        finally
        {
            Directory.Delete(onlyInWorkingFolder);
            Directory.Delete(bothInWorkingFolder);
        }
    }

    [Fact]
    public void Broken_yaml_syntax_is_a_one_line_error()
    {
        using var set = new TempDataset();
        var yaml = set.WriteFile("data.yaml", "val: [images/val\nnc: 3\n");

        var error = Assert.Throws<DatasetException>(() => DataYaml.Load(yaml));

        Assert.Contains(yaml, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
