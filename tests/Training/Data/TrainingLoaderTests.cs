using PruneCluster.Engine.Training.Data;
using TorchSharp;

namespace PruneCluster.Tests.Training.Data;

/// <summary>The loader's batches: layout of images and targets, per-epoch shuffling, determinism across worker counts.</summary>
public sealed class TrainingLoaderTests
{
    [Fact]
    public void Batches_hold_rgb_images_in_0_1_and_targets_rows_image_class_xc_yc_w_h()
    {
        using var boxes = new SyntheticBoxes(images: 6);
        using var loader = TrainingFixture.Loader(boxes, augmentation: null, workers: 2, batch: 4);

        var batches = loader.Epoch(0).ToList();
        try
        {
            Assert.Equal(2, loader.BatchCount);
            Assert.Equal([4, 2], batches.Select(b => b.Count));
            Assert.Equal(loader.Order(0), batches.SelectMany(b => b.Samples.Select(s => s.Index)));
            foreach (var batch in batches)
            {
                Assert.Equal(new long[] { batch.Count, 3, TrainingFixture.Size, TrainingFixture.Size }, batch.Images.shape);
                Assert.Equal(torch.float32, batch.Images.dtype);
                Assert.True(batch.Images.min().item<float>() >= 0 && batch.Images.max().item<float>() <= 1);
                var expected = batch.Samples.SelectMany((s, i) => s.Labels.Select(l => new[] { i, l.Class, l.CenterX, l.CenterY, l.Width, l.Height })).ToList();
                Assert.Equal(new long[] { expected.Count, 6 }, batch.Targets.shape);
                var rows = batch.Targets.data<float>().ToArray().Chunk(6).ToList();
                Assert.Equal(expected, rows);

                // Each label's centre pixel shows its class colour in R, G, B order (palette is BGR).
                for (var i = 0; i < batch.Count; i++)
                foreach (var l in batch.Samples[i].Labels)
                {
                    var (x, y) = ((long)(l.CenterX * TrainingFixture.Size), (long)(l.CenterY * TrainingFixture.Size));
                    var colour = SyntheticBoxes.Palette[l.Class];
                    Assert.Equal(colour.Val2 / 255, batch.Images[i, 0, y, x].item<float>(), 3);
                    Assert.Equal(colour.Val1 / 255, batch.Images[i, 1, y, x].item<float>(), 3);
                    Assert.Equal(colour.Val0 / 255, batch.Images[i, 2, y, x].item<float>(), 3);
                }
            }
        }
        finally
        {
            batches.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public void One_and_three_workers_give_identical_batches_for_a_seed()
    {
        using var boxes = new SyntheticBoxes(images: 10);
        var recipe = new AugmentationOptions { mixup = 0.5, degrees = 5, flipud = 0.3 };
        using var one = TrainingFixture.Loader(boxes, recipe, workers: 1, batch: 3, seed: 7, cache: false);
        using var three = TrainingFixture.Loader(boxes, recipe, workers: 3, batch: 3, seed: 7, cache: false);
        using var otherSeed = TrainingFixture.Loader(boxes, recipe, workers: 3, batch: 3, seed: 8);

        for (var epoch = 0; epoch < 2; epoch++)
        {
            foreach (var (a, b, c) in one.Epoch(epoch).Zip(three.Epoch(epoch), otherSeed.Epoch(epoch)))
            {
                using (a)
                using (b)
                using (c)
                {
                    Assert.True(Same(a.Images, b.Images), $"epoch {epoch} batch {a.Index}: images differ between 1 and 3 workers");
                    Assert.True(Same(a.Targets, b.Targets), $"epoch {epoch} batch {a.Index}: targets differ between 1 and 3 workers");
                    Assert.False(Same(a.Images, c.Images), $"epoch {epoch} batch {a.Index}: another seed gave the same images");
                }
            }
        }
    }

    [Fact]
    public void Each_epoch_visits_every_image_once_in_its_own_order()
    {
        using var boxes = new SyntheticBoxes(images: 12);
        using var loader = TrainingFixture.Loader(boxes, augmentation: null);

        var orders = Enumerable.Range(0, 3).Select(loader.Order).ToList();
        foreach (var order in orders)
            Assert.Equal(Enumerable.Range(0, 12), order.Order());
        Assert.NotEqual(orders[0], orders[1]);
        Assert.NotEqual(orders[1], orders[2]);
        Assert.Equal(orders[1], loader.Order(1));
    }

    [Fact]
    public void Same_image_in_another_epoch_gets_another_augmentation()
    {
        using var boxes = new SyntheticBoxes();
        using var loader = TrainingFixture.Loader(boxes, new AugmentationOptions());

        Assert.NotEqual(loader.Sample(0, epoch: 0).Rgb, loader.Sample(0, epoch: 1).Rgb);
        Assert.Equal(loader.Sample(0, epoch: 1).Rgb, loader.Sample(0, epoch: 1).Rgb);
    }

    [Fact]
    public void Mosaic_picks_nine_tiles_about_one_time_in_five_like_yolov7()
    {
        using var boxes = new SyntheticBoxes();
        using var loader = TrainingFixture.Loader(boxes, TrainingFixture.Quiet with { mosaic = 1 });

        var nine = Enumerable.Range(0, 50).SelectMany(epoch => Enumerable.Range(0, loader.Set.Count)
            .Select(i => loader.Sample(i, epoch).Trace.MosaicTiles)).Count(t => t == 9);

        // 300 draws with p = 0.2: mean 60, standard deviation 6.9.
        Assert.InRange(nine, 35, 85);
    }

    [Fact]
    public void Leaving_an_epoch_early_stops_the_workers_and_cancellation_is_honoured()
    {
        using var boxes = new SyntheticBoxes(images: 12);
        using var loader = TrainingFixture.Loader(boxes, new AugmentationOptions(), workers: 2, batch: 2);

        using (var first = loader.Epoch(0).First())
            Assert.Equal(2, first.Count);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => loader.Epoch(0, cancelled.Token).ToList());
    }

    [Fact]
    public void Cached_images_give_the_same_batches()
    {
        using var boxes = new SyntheticBoxes();
        var set = Engine.Training.Data.TrainingSet.Load(Engine.Data.DataYaml.Load(boxes.YamlPath));
        var options = new TrainingLoaderOptions { ImageSize = TrainingFixture.Size, BatchSize = 3, Workers = 2, Seed = 3 };
        using var plain = new TrainingLoader(set, options, new AugmentationOptions());
        using var cached = new TrainingLoader(set, options with { CacheImages = true }, new AugmentationOptions());

        for (var epoch = 0; epoch < 2; epoch++)
        {
            foreach (var (a, b) in plain.Epoch(epoch).Zip(cached.Epoch(epoch)))
            {
                using (a)
                using (b)
                    Assert.True(Same(a.Images, b.Images));
            }
        }
    }

    private static bool Same(torch.Tensor a, torch.Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        return a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
    }
}
