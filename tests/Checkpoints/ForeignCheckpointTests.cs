using PruneCluster.Engine.Checkpoints;
using TorchSharp;
using Xunit;

namespace PruneCluster.Tests.Checkpoints;

/// <summary>Reads files written by <see cref="ForeignCheckpointScript"/> (the torch.save layout produced by another writer).</summary>
public sealed class ForeignCheckpointTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public ForeignCheckpointTests()
    {
        if (Python3.Available)
            Python3.Run(ForeignCheckpointScript.Source, _folder.Path);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Ema_is_preferred_over_model_and_views_honour_offset_size_and_stride()
    {
        if (!Python3.Available)
            return;
        using var contents = CheckpointReader.Read(_folder.File("ema.pt"));

        Assert.Equal(CheckpointFormat.PickledModel, contents.Format);
        Assert.Equal("ema", contents.ModelKey);
        // None parameters (bias), None children ('1') and non-persistent buffers ('grid') are not in a state_dict.
        Assert.Equal(["model.0.weight", "model.0.num_batches_tracked", "model.2.transposed", "model.2.every_other"],
            contents.StateDict.Select(e => e.Key));
        var tensors = contents.StateDict.ToDictionary(e => e.Key, e => e.Value);
        // The EMA's weight is the half storage i/4, widened to float32.
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i / 4f), tensors["model.0.weight"].data<float>().ToArray());
        Assert.Equal(new long[] { 3, 4 }, tensors["model.0.weight"].shape);
        Assert.Equal(torch.ScalarType.Int64, tensors["model.0.num_batches_tracked"].dtype);
        Assert.Equal(123456789012L, tensors["model.0.num_batches_tracked"].item<long>());
        // Storage 0..11 viewed with size (4, 3) and stride (1, 4): the transpose of the 3x4 matrix.
        Assert.Equal(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, tensors["model.2.transposed"].data<float>().ToArray());
        // Offset 2, size 5, stride 2.
        Assert.Equal(new float[] { 2, 4, 6, 8, 10 }, tensors["model.2.every_other"].data<float>().ToArray());
        Assert.True(tensors["model.2.transposed"].is_contiguous());
    }

    [Fact]
    public void Model_attributes_and_plain_top_level_entries_are_exposed()
    {
        if (!Python3.Available)
            return;
        using var contents = CheckpointReader.Read(_folder.File("ema.pt"));

        Assert.Equal(2L, contents.ModelYaml!["nc"]);
        Assert.Equal(new List<object?> { new List<object?> { 10L, 13L, 16L, 30L } }, contents.ModelYaml["anchors"]);
        Assert.Equal(["cat", "dog"], contents.ClassNames!);
        var cfg = Assert.IsType<List<object?>>(contents.PruningCfg);
        Assert.Equal(new List<object?> { new List<object?> { 2L }, new List<object?> { 0L }, new List<object?> { 16L, 16L } }, cfg[1]);
        Assert.Equal(7L, contents.Metadata["epoch"]);
        Assert.Equal(0.25, contents.Metadata["best_fitness"]);
        Assert.Null(contents.Metadata["optimizer"]);
        Assert.Equal("runs/train/exp", contents.Metadata["save_dir"]); // a pathlib object, reduced to its text
        Assert.False(contents.Metadata.ContainsKey("model"));
        Assert.False(contents.Metadata.ContainsKey("ema"));
    }

    [Fact]
    public void Bare_state_dict_larger_than_one_pickle_batch_keeps_its_key_order_and_values()
    {
        if (!Python3.Available)
            return;
        using var contents = CheckpointReader.Read(_folder.File("state_dict.pt"));

        Assert.Equal(CheckpointFormat.StateDict, contents.Format);
        Assert.Null(contents.ModelKey);
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => $"layer.{i:D4}"), contents.StateDict.Select(e => e.Key));
        Assert.All(contents.StateDict, e => Assert.Equal(float.Parse(e.Key[6..]), e.Value.item<float>()));
    }

    [Fact]
    public void State_dict_nested_under_state_dict_is_found_and_other_entries_become_metadata()
    {
        if (!Python3.Available)
            return;
        using var contents = CheckpointReader.Read(_folder.File("wrapped.pt"));

        Assert.Equal(CheckpointFormat.StateDict, contents.Format);
        Assert.Equal("state_dict", contents.ModelKey);
        var weight = Assert.Single(contents.StateDict);
        Assert.Equal("w", weight.Key);
        // Half storage [0.1, -2.5, 65504, 1e-4] from offset 1: exactly the half values, widened.
        Assert.Equal(new[] { (float)(Half)(-2.5f), (float)(Half)65504f }, weight.Value.data<float>().ToArray());
        Assert.Equal(3L, contents.Metadata["epoch"]);
    }

    [Theory]
    [InlineData("list.pt", "not a model or state_dict")]
    [InlineData("complex.pt", "unsupported storage type torch.ComplexFloatStorage")]
    [InlineData("big_endian.pt", "big-endian")]
    [InlineData("out_of_bounds.pt", "outside its storage")]
    public void Foreign_file_with_unusable_content_gives_a_one_line_checkpoint_exception(string file, string problem)
    {
        if (!Python3.Available)
            return;
        var path = _folder.File(file);

        var error = Assert.Throws<CheckpointException>(() => CheckpointReader.Read(path));

        Assert.Contains(problem, error.Message);
        Assert.StartsWith(path + ":", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
