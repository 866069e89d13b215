using System.Diagnostics;
using PruneCluster.Engine.Data;
using PruneCluster.Tests.Support;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace PruneCluster.Tests.Data;

public sealed class ValidationSetCacheTests(ITestOutputHelper output)
{
    private static readonly string BccdYaml = SharedData.Dataset("bccd/bccd.yaml");

    [Fact]
    public void Cache_file_is_written_once_and_a_later_load_reads_the_same_pixels_from_it()
    {
        using var folder = new TempDataset();
        var options = new ValidationSetOptions { CacheDirectory = folder.PathOf("cache") };
        var data = DataYaml.Load(BccdYaml);

        using var first = ValidationSet.Load(data, "val", 320, 16, options: options);
        using var second = ValidationSet.Load(data, "val", 320, 16, options: options);

        Assert.Equal(ImageCacheSource.Decoded, first.Source);
        Assert.Equal(ImageCacheSource.Disk, second.Source);
        Assert.Single(Directory.GetFiles(folder.PathOf("cache")));
        Assert.Equal(first.Batches.Select(b => (b.Height, b.Width, b.Count)), second.Batches.Select(b => (b.Height, b.Width, b.Count)));
        Assert.All(first.Batches.Zip(second.Batches), p => Assert.True(p.First.Pixels.Span.SequenceEqual(p.Second.Pixels.Span)));
        Assert.Equal(first.Images.SelectMany(i => i.Labels), second.Images.SelectMany(i => i.Labels));
        Assert.Equal(first.Images.Select(i => i.Letterbox), second.Images.Select(i => i.Letterbox));
    }

    [Fact]
    public void Changed_settings_do_not_reuse_a_cache_file_of_other_settings()
    {
        using var folder = new TempDataset();
        var options = new ValidationSetOptions { CacheDirectory = folder.PathOf("cache") };
        var data = DataYaml.Load(BccdYaml);

        using var first = ValidationSet.Load(data, "test", 320, 32, options: options);
        using var other = ValidationSet.Load(data, "test", 320, 32, pad: 0.0, options: options);

        Assert.Equal(ImageCacheSource.Decoded, other.Source);
        Assert.Equal(2, Directory.GetFiles(folder.PathOf("cache")).Length);
    }

    [Fact]
    public void Damaged_cache_file_is_ignored_and_rewritten()
    {
        using var folder = new TempDataset();
        var options = new ValidationSetOptions { CacheDirectory = folder.PathOf("cache") };
        var data = DataYaml.Load(BccdYaml);
        using (ValidationSet.Load(data, "test", 320, 64, options: options)) { }
        var file = Assert.Single(Directory.GetFiles(folder.PathOf("cache")));
        File.WriteAllBytes(file, File.ReadAllBytes(file)[..1000]);

        using var reloaded = ValidationSet.Load(data, "test", 320, 64, options: options);
        using var fromFile = ValidationSet.Load(data, "test", 320, 64, options: options);

        Assert.Equal(ImageCacheSource.Decoded, reloaded.Source);
        Assert.Equal(ImageCacheSource.Disk, fromFile.Source);
    }

    [Fact]
    public void Disposed_set_refuses_pixels_but_keeps_its_metadata()
    {
        var set = ValidationSet.Load(DataYaml.Load(BccdYaml), "test", 320, 32);
        var batch = set.Batches[0];

        set.Dispose();

        Assert.Throws<ObjectDisposedException>(() => batch.Pixels);
        Assert.Throws<ObjectDisposedException>(() => batch.CreateImages());
        Assert.NotEmpty(set.Images[0].Labels);
    }

    [Theory]
    [InlineData(320)]
    [InlineData(640)]
    public void Measure_decode_and_preprocess_time_of_bccd_val(int imgSize)
    {
        var data = DataYaml.Load(BccdYaml);
        using (torch.zeros(1)) { } // load libtorch before timing
        var clock = Stopwatch.StartNew();
        using var decoded = ValidationSet.Load(data, "val", imgSize, 32, options: new ValidationSetOptions());
        var decodeTime = clock.Elapsed;
        var cache = new ValidationSetOptions { SharedImages = new DecodedImageCache() };
        using var shared = ValidationSet.Load(data, "val", imgSize, 32, options: cache);
        clock.Restart();
        using var sharedAgain = ValidationSet.Load(data, "val", imgSize, 32, options: cache);
        var sharedTime = clock.Elapsed;
        var tensorTimes = Enumerable.Range(0, 3).Select(_ =>
        {
            clock.Restart();
            foreach (var batch in decoded.Batches)
            {
                using var images = batch.CreateImages();
            }
            return clock.Elapsed.TotalMilliseconds;
        }).ToList();

        output.WriteLine($"bccd val img {imgSize}: {decoded.Images.Count} images, decode+resize+letterbox {decodeTime.TotalMilliseconds:F0} ms, " +
            $"second load sharing the pixels {sharedTime.TotalMilliseconds:F0} ms, uint8->float32 tensors for all batches (best of 3) {tensorTimes.Min():F0} ms, " +
            $"cached bytes {decoded.Batches.Sum(b => b.Pixels.Length) / 1e6:F1} MB");
        Assert.Equal(ImageCacheSource.Memory, sharedAgain.Source);
        Assert.Equal(ImageCacheSource.Decoded, decoded.Source);
        Assert.Equal(87, decoded.Images.Count);
    }
}
