using PruneCluster.Engine.Data;
using PruneCluster.Engine.Training.Data;

namespace PruneCluster.Tests.Training.Data;

/// <summary>Bad inputs reach the caller as one <see cref="DatasetException"/> naming the file, not as a worker's stack.</summary>
public sealed class TrainingDataErrorTests
{
    [Fact]
    public void A_corrupt_image_fails_the_epoch_with_one_exception_naming_it()
    {
        using var boxes = new SyntheticBoxes();
        var corrupt = boxes.PathOf("images/train/synth_03.png");
        File.WriteAllText(corrupt, "this is not a png");
        // Mosaic draws other images too, so letterbox-only is the way to know which batch holds the corrupt one.
        using var loader = TrainingFixture.Loader(boxes, augmentation: null, workers: 3, batch: 2, cache: false);

        var error = Assert.Throws<DatasetException>(() =>
        {
            foreach (var batch in loader.Epoch(0))
                batch.Dispose();
        });

        Assert.StartsWith(corrupt, error.Message);
        Assert.Contains("cannot decode", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_bad_label_row_skips_its_image_with_an_issue_or_in_strict_mode_fails_naming_the_file_and_line()
    {
        using var boxes = new SyntheticBoxes();
        var labels = boxes.PathOf("labels/train/synth_02.txt");
        File.AppendAllText(labels, "7 0.5 0.5 0.1 0.1\n");
        var data = DataYaml.Load(boxes.YamlPath);

        var lenient = TrainingSet.Load(data);
        Assert.Equal(5, lenient.Count);
        var issue = Assert.Single(lenient.Issues);
        Assert.Equal((labels, DatasetIssueKind.ClassOutOfRange, true), (issue.File, issue.Kind, issue.ImageSkipped));

        var error = Assert.Throws<DatasetException>(() => TrainingSet.Load(data, options: new TrainingSetOptions { Strict = true }));
        Assert.StartsWith(labels + ":", error.Message);
        Assert.Contains("nc=6", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Out_of_range_hyp_values_and_loader_options_are_refused_before_any_work()
    {
        using var boxes = new SyntheticBoxes(images: 2);
        var set = TrainingSet.Load(DataYaml.Load(boxes.YamlPath));

        Assert.Contains("mixup", Assert.Throws<ArgumentException>(() => new TrainingLoader(set, new TrainingLoaderOptions(), new AugmentationOptions { mixup = 1.5 })).Message);
        Assert.Contains("scale", Assert.Throws<ArgumentException>(() => new TrainingLoader(set, new TrainingLoaderOptions(), new AugmentationOptions { scale = 1 })).Message);
        Assert.Contains("multiple of 32", Assert.Throws<ArgumentException>(() => new TrainingLoader(set, new TrainingLoaderOptions { ImageSize = 100 }, null)).Message);
        Assert.Contains("workers", Assert.Throws<ArgumentException>(() => new TrainingLoader(set, new TrainingLoaderOptions { Workers = 0 }, null)).Message);
    }
}
