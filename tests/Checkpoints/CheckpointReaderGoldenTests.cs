using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Tests.Support;
using TorchSharp;
using Xunit;

namespace PruneCluster.Tests.Checkpoints;

public sealed class CheckpointReaderGoldenTests
{
    [Theory]
    [InlineData("yolov7-tiny-golden.pt", "training_yolov7-tiny.txt")]
    [InlineData("yolov7-golden.pt", "training_yolov7.txt")]
    public void Golden_checkpoint_yields_exactly_the_reference_state_dict_keys_shapes_and_dtypes(string checkpoint, string reference)
    {
        var expected = ReferenceStateDictEntry.Load(SharedData.Reference(Path.Combine("yolov7_cfg", "state_dict_keys", reference)));

        using var contents = CheckpointReader.Read(SharedData.Golden(checkpoint));

        Assert.Equal(CheckpointFormat.PickledModel, contents.Format);
        Assert.Equal("model", contents.ModelKey); // the golden files have ema = None
        Assert.Equal(expected.Select(e => e.Key), contents.StateDict.Select(e => e.Key));
        for (var i = 0; i < expected.Count; i++)
        {
            var tensor = contents.StateDict[i].Value;
            Assert.True(expected[i].Shape.SequenceEqual(tensor.shape),
                $"{expected[i].Key}: expected [{string.Join(", ", expected[i].Shape)}], got [{string.Join(", ", tensor.shape)}]");
            Assert.Equal(expected[i].DType == "int64" ? torch.ScalarType.Int64 : torch.ScalarType.Float32, tensor.dtype);
            Assert.Equal(DeviceType.CPU, tensor.device_type);
        }
    }

    [Fact]
    public void Golden_yaml_is_exposed_as_plain_dotnet_values()
    {
        using var contents = CheckpointReader.Read(SharedData.Golden("yolov7-tiny-golden.pt"));

        var yaml = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(contents.ModelYaml);
        Assert.Equal(GoldenJson("yolov7-tiny_golden.json").GetProperty("nc").GetInt64(), Assert.IsType<long>(yaml["nc"]));
        var backbone = Assert.IsType<List<object?>>(yaml["backbone"]);
        var firstLayer = Assert.IsType<List<object?>>(backbone[0]); // [from, n, module, args]
        Assert.Equal("Conv", firstLayer[2]);
        Assert.IsType<double>(yaml["depth_multiple"]);
        Assert.Null(contents.PruningCfg); // only the seed's prune.py adds it
    }

    [Fact]
    public void Half_precision_weights_become_float32_values_equal_to_the_stored_halves()
    {
        const string key = "model.0.conv.weight"; // the only [32, 3, 3, 3] tensor: its storage is the only 1728-byte record
        var path = SharedData.Golden("yolov7-tiny-golden.pt");
        using var contents = CheckpointReader.Read(path);
        using var tensor = contents.StateDict.Single(e => e.Key == key).Value;
        var values = tensor.data<float>().ToArray();

        using var zip = ZipFile.OpenRead(path);
        var record = Assert.Single(zip.Entries, e => e.FullName.Contains("/data/") && e.Length == values.Length * 2);
        var raw = new byte[record.Length];
        using (var stream = record.Open())
            stream.ReadExactly(raw);

        for (var i = 0; i < values.Length; i++)
        {
            var half = BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(2 * i)));
            Assert.Equal((float)half, values[i]);
        }
        Assert.Contains(values, v => v != 0f);
    }

    [Theory]
    [InlineData("readme_list_l2")]
    [InlineData("all_layers_50_l1")]
    public void Pruned_checkpoint_has_the_pruned_conv_widths_of_the_golden_case(string caseName)
    {
        var pruning = GoldenJson("yolov7-tiny_golden.json").GetProperty("prunings").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == caseName);
        var expectedWidths = pruning.GetProperty("conv_layer_out_channels").EnumerateArray().Select(e => e.GetInt64()).ToList();

        using var contents = CheckpointReader.Read(SharedData.Golden(pruning.GetProperty("checkpoint").GetString()!));

        // Every Conv's conv.weight and each head conv is a 4-D ".weight", in conv-layer order (README: model.modules() order).
        var convWeights = ConvWeights(contents);
        Assert.Equal(expectedWidths.Count, convWeights.Count);
        for (var i = 0; i < expectedWidths.Count; i++)
            Assert.True(expectedWidths[i] == convWeights[i].Value.shape[0], $"conv layer {i} ({convWeights[i].Key}): expected {expectedWidths[i]} filters, got {convWeights[i].Value.shape[0]}");
    }

    [Theory]
    [InlineData("yolov7-tiny_pruned_readme_list_l2.pt")]
    [InlineData("yolov7-tiny_pruned_all_layers_50_l1.pt")]
    public void Pruned_checkpoint_exposes_a_pruning_cfg_whose_slice_sizes_match_the_pruned_input_widths(string checkpoint)
    {
        using var contents = CheckpointReader.Read(SharedData.Golden(checkpoint));

        var cfg = Assert.IsType<List<object?>>(contents.PruningCfg);
        var convWeights = ConvWeights(contents);
        Assert.Equal(convWeights.Count, cfg.Count);
        var checkedLayers = 0;
        for (var layer = 0; layer < cfg.Count; layer++)
        {
            // [next layers, concat slice indices, slice sizes of this layer's concatenated input]
            var entry = Assert.IsType<List<object?>>(cfg[layer]);
            var sliceSizes = Assert.IsType<List<object?>>(entry[2]).Cast<long>().ToList();
            if (sliceSizes.Count == 0)
                continue;
            Assert.True(sliceSizes.Sum() == convWeights[layer].Value.shape[1],
                $"layer {layer}: slices [{string.Join(", ", sliceSizes)}] vs {convWeights[layer].Value.shape[1]} input channels");
            checkedLayers++;
        }
        Assert.True(checkedLayers > 0);
        // The yaml still describes the unpruned network (README): a loader must take widths from the tensors.
        Assert.NotNull(contents.ModelYaml);
    }

    [Fact]
    public void Trained_bccd_checkpoint_has_three_classes_in_its_yaml_and_its_numpy_fitness_in_metadata()
    {
        using var contents = CheckpointReader.Read(SharedData.Golden("bccd-yolov7-tiny.pt"));

        Assert.Equal(3L, contents.ModelYaml!["nc"]);
        Assert.Equal(["RBC", "WBC", "Platelets"], contents.ClassNames!);
        var headWeights = contents.StateDict.Where(e => e.Key.Contains(".m.") && e.Key.EndsWith(".weight")).ToList();
        Assert.All(headWeights, e => Assert.Equal(3 * (5 + 3), e.Value.shape[0])); // 3 anchors x (xywh, obj, 3 classes)
        Assert.Equal(-1L, contents.Metadata["epoch"]);
        var fitness = Assert.IsType<List<object?>>(contents.Metadata["best_fitness"]); // a numpy float64 array of shape (1,)
        Assert.InRange(Assert.IsType<double>(Assert.Single(fitness)), 0.0, 1.0); // 0.1 mAP@.5 + 0.9 mAP@.5:.95
        Assert.False(contents.Metadata.ContainsKey("model"));
    }

    private static List<KeyValuePair<string, torch.Tensor>> ConvWeights(CheckpointContents contents) =>
        contents.StateDict.Where(e => e.Key.EndsWith(".weight", StringComparison.Ordinal) && e.Value.dim() == 4).ToList();

    private static JsonElement GoldenJson(string name) =>
        JsonDocument.Parse(File.ReadAllText(SharedData.Golden(name))).RootElement;
}
