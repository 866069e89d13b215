using PruneCluster.Client.Cli;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Data.Synthetic;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Models;

namespace PruneCluster.Tests.Data.Synthetic;

/// <summary>The written data set: determinism, YOLOv7 layout read by the project's loader and evaluator, balance, atomic writes.</summary>
public sealed class SyntheticDatasetTests(SyntheticDatasetFixture fixture) : IClassFixture<SyntheticDatasetFixture>
{
    [Fact]
    public void TheSameSeedGivesByteIdenticalFilesWhateverTheThreadCount()
    {
        var again = Path.Combine(fixture.Root, "again");
        SyntheticDataset.Write(again, fixture.Options with { Threads = 1 });
        var first = SyntheticDatasetFixture.Files(fixture.Folder);
        var second = SyntheticDatasetFixture.Files(again);
        Assert.Equal(first.Keys, second.Keys);
        Assert.All(first, f => Assert.True(f.Value.AsSpan().SequenceEqual(second[f.Key]), $"{f.Key} differs between runs"));
        Directory.Delete(again, recursive: true);
    }

    [Fact]
    public void ADifferentSeedGivesDifferentImagesAndLabels()
    {
        var other = Path.Combine(fixture.Root, "other-seed");
        var options = fixture.Options with { Images = 8, Seed = fixture.Options.Seed + 1 };
        SyntheticDataset.Write(other, options);
        var ours = SyntheticDatasetFixture.Files(fixture.Folder);
        var theirs = SyntheticDatasetFixture.Files(other);
        // Same names for the first images (both sets start at index 0), different content.
        for (var i = 0; i < options.TrainImages; i++)
        {
            var image = Path.GetRelativePath(other, SyntheticDataset.ImagePath(other, options, i));
            var label = Path.GetRelativePath(other, SyntheticDataset.LabelPath(other, options, i));
            Assert.False(ours[image].AsSpan().SequenceEqual(theirs[image]), $"{image} is the same for both seeds");
            Assert.False(ours[label].AsSpan().SequenceEqual(theirs[label]), $"{label} is the same for both seeds");
        }
        Directory.Delete(other, recursive: true);
    }

    [Fact]
    public void LayoutIsYoloV7sWithAYamlRelativeToItself()
    {
        var o = fixture.Options;
        Assert.Equal(o.TrainImages, Directory.GetFiles(Path.Combine(fixture.Folder, "images", "train"), "*.png").Length);
        Assert.Equal(o.ValImages, Directory.GetFiles(Path.Combine(fixture.Folder, "images", "val"), "*.png").Length);
        Assert.Equal(o.TrainImages, Directory.GetFiles(Path.Combine(fixture.Folder, "labels", "train"), "*.txt").Length);
        Assert.Equal(o.ValImages, Directory.GetFiles(Path.Combine(fixture.Folder, "labels", "val"), "*.txt").Length);
        Assert.Equal((45, 15), (o.TrainImages, o.ValImages));

        var data = DataYaml.Load(fixture.Summary.DataYaml);
        Assert.Equal(5, data.ClassCount);
        Assert.Equal(["circle", "square", "triangle", "cross", "ring"], data.Names);
        Assert.Equal([Path.Combine(fixture.Folder, "images", "train")], data.Split("train"));
        Assert.Equal([Path.Combine(fixture.Folder, "images", "val")], data.Split("val"));
        Assert.Contains("train: images/train\n", File.ReadAllText(fixture.Summary.DataYaml));
    }

    [Theory]
    [InlineData("train")]
    [InlineData("val")]
    public void TheValidationSetLoadsEverySplitWithoutIssues(string split)
    {
        var data = DataYaml.Load(fixture.Summary.DataYaml);
        using var set = ValidationSet.Load(data, split, fixture.Options.ImageSize, 8, options: new ValidationSetOptions());
        Assert.Empty(set.Issues);
        var expectedImages = split == "train" ? fixture.Options.TrainImages : fixture.Options.ValImages;
        var expectedObjects = split == "train" ? fixture.Summary.TrainObjects : fixture.Summary.ValObjects;
        Assert.Equal(expectedImages, set.Images.Count);
        Assert.Equal((expectedImages, 0, 0), (set.LabelFilesFound, set.LabelFilesMissing, set.LabelFilesEmpty));
        Assert.Equal(expectedObjects.Sum(), set.LabelCount);
        // Square images at the data set's own size are used as they are: no resize, no padding.
        Assert.All(set.Images, i => Assert.Equal((160, 160, 160, 160), (i.OriginalHeight, i.OriginalWidth, i.ResizedHeight, i.ResizedWidth)));
    }

    [Fact]
    public void TheEvaluatorRunsOnTheValSplit()
    {
        var data = DataYaml.Load(fixture.Summary.DataYaml);
        using var model = ModelBuilder.Build(YoloCfg.Resolve("yolov7-tiny").WithNc(data.ClassCount));
        model.eval();
        using var set = ValidationSet.Load(data, "val", fixture.Options.ImageSize, 8, ModelEvaluator.GridSize(model));
        var result = ModelEvaluator.Evaluate(model, set, new EvaluationOptions { MeasureModel = false });
        Assert.Equal(fixture.Options.ValImages, result.Images);
        Assert.Equal(fixture.Summary.ValObjects.Select(n => (long)n), result.Metrics.Nt);
        Assert.InRange(result.Metrics.Map50, 0, 1); // an untrained model: the point is that the set is scored
    }

    [Fact]
    public void ClassesAreBalanced()
    {
        var counts = fixture.Summary.TrainObjects.Zip(fixture.Summary.ValObjects, (t, v) => t + v).ToList();
        var mean = counts.Average();
        Assert.All(counts, c => Assert.InRange(c, 0.85 * mean, 1.15 * mean));
        var marker = File.ReadAllText(Path.Combine(fixture.Folder, SyntheticDataset.MarkerName));
        Assert.Contains($"\"train_objects\": [\n    {string.Join(",\n    ", fixture.Summary.TrainObjects)}\n  ]", marker);
    }

    [Fact]
    public void AnInterruptedWriteLeavesNothingBehind()
    {
        var parent = Path.Combine(fixture.Root, "interrupted");
        Directory.CreateDirectory(parent);
        var target = Path.Combine(parent, "set");
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress<SyntheticProgress>(p =>
        {
            if (p.Done == 5)
                cancel.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            SyntheticDataset.Write(target, fixture.Options with { Threads = 1 }, progress: progress, cancellationToken: cancel.Token));
        Assert.Empty(Directory.EnumerateFileSystemEntries(parent));
    }

    [Fact]
    public void OverwriteReplacesADataSetOnlyWhenAskedAndOnlyOneWrittenHere()
    {
        var target = Path.Combine(fixture.Root, "replaced");
        var small = fixture.Options with { Images = 4 };
        SyntheticDataset.Write(target, small);
        var error = Assert.Throws<DatasetException>(() => SyntheticDataset.Write(target, small));
        Assert.Contains("--overwrite", error.Message);

        SyntheticDataset.Write(target, small with { Seed = 99, Images = 3 }, overwrite: true);
        Assert.Equal(2 + 2 * 3, SyntheticDatasetFixture.Files(target).Count); // data.yaml, synth.json, 3 images + 3 labels
        Assert.Contains("\"seed\": 99", File.ReadAllText(Path.Combine(target, SyntheticDataset.MarkerName)));
        // Neither the staging folder nor the old data set is left behind.
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(fixture.Root), e => Path.GetFileName(e).StartsWith(".replaced", StringComparison.Ordinal));

        // Someone else's files are never deleted, --overwrite or not.
        var foreign = Path.Combine(fixture.Root, "foreign");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "notes.txt"), "mine");
        var refused = Assert.Throws<DatasetException>(() => SyntheticDataset.Write(foreign, small, overwrite: true));
        Assert.Contains(SyntheticDataset.MarkerName, refused.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(foreign, "notes.txt")));
    }
}
