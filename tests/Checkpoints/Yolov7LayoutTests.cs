using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Tests.Support;
using TorchSharp;
using Xunit;

namespace PruneCluster.Tests.Checkpoints;

/// <summary>
/// The whole-model checkpoints (YOLOv7's layout) checked with real PyTorch 1.13 and the YOLOv7 class-name fixture of
/// <see cref="Yolov7TorchScripts"/>, and read back here.
/// </summary>
public sealed class Yolov7LayoutTests
{
    private static void RequireTorch() =>
        Assert.True(Python3.TorchAvailable, "this test loads checkpoints with real PyTorch 1.13: install python3-torch (see README, Tests)");

    private static PruningPlan Prune(YoloModel model, params int[] layers) =>
        Pruner.Prune(ConnectivityGraph.Build(model), layers.Select(l => new LayerRate(l, 0.5)).ToList(), new FilterImportance(Criterion.SmallestL2));

    // A P5/P6 architecture at a quarter of its width: every module kind of the full one, built in a second.
    private static YoloModel Narrow(string cfg)
    {
        var full = YoloCfg.Resolve(cfg);
        return ModelBuilder.Build(YoloCfg.FromDictionary(new Dictionary<string, object?>(full.Raw) { ["width_multiple"] = 0.25 }, cfg));
    }

    [Theory]
    [InlineData("tiny-pruned")]
    [InlineData("yolov7-pruned-repconv")]
    [InlineData("yolov7-pruned-fused")]
    [InlineData("yolov7x")]
    [InlineData("yolov7-e6-iauxdetect")]
    [InlineData("deploy-yolov7-tiny-silu")]
    public void A_saved_model_unpickles_under_torch_with_yolov7_classes_and_the_weights_it_saved(string kind)
    {
        RequireTorch();
        using var folder = new TempFolder();
        var (model, history) = kind switch
        {
            "tiny-pruned" => Loaded("yolov7-tiny-golden.pt", m => Prune(m, 3, 10, 54)),
            "yolov7-pruned-repconv" => Loaded("yolov7-golden.pt", m => Prune(m, 86, 40)),
            "yolov7-pruned-fused" => Loaded("yolov7-golden.pt", m =>
            {
                var plan = Prune(m, 87, 12);
                m.Fuse();
                return plan;
            }),
            "yolov7x" => (Narrow("yolov7x"), PruningPlan.Empty),
            "yolov7-e6-iauxdetect" => (Narrow("yolov7-e6"), PruningPlan.Empty),
            _ => (ModelBuilder.Build(YoloCfg.Resolve("deploy/yolov7-tiny-silu")), PruningPlan.Empty),
        };
        using (model)
        {
            var whole = folder.File("whole.pt");
            var flat = folder.File("flat.pt");
            string[] names = ["a", "b"];
            var classNames = Enumerable.Range(0, model.Nc).Select(i => names[i % 2] + i).ToList();
            ModelFile.Save(whole, model, history, classNames);
            ModelFile.Save(flat, model, history, classNames, ModelFileFormat.StateDict);
            var report = Report(Python3.RunWithTorch(Yolov7TorchScripts.CompareWithStateDict, whole, flat));

            Assert.Equal("epoch,best_fitness,training_results,model,ema,updates,optimizer,wandb_id", report["TOP"]);
            Assert.Equal("models.yolo.Model", report["CLASS"]);
            Assert.Equal("True", report["SAME_KEYS"]);
            Assert.Equal("", report["DIFFERENT"]);
            Assert.Equal($"[{string.Join(", ", model.Head.Strides.Select(s => s.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}] True", report["STRIDE"]);
            Assert.Equal($"True NC {model.Nc}", report["NAMES"]);
            Assert.Equal(model.Cfg.DepthMultiple, double.Parse(report["DEPTH"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal($"{model.Head.Kind} {model.Head.Levels} {model.Head.AnchorsPerLevel} {model.Nc + 5} ({model.Head.Levels}, {model.Head.AnchorsPerLevel}, 2) {model.Head.Levels}", report["HEAD"]);
            var convs = model.Layers.SelectMany(l => l.ConvUnits).Count(u => u.Unit is Engine.Models.Modules.Conv);
            Assert.Equal(kind == "yolov7-pruned-fused" ? $"{convs} True" : "0 True", report["FUSEFORWARD"]);
            var repConvs = model.Layers.Count(l => l is Engine.Models.Modules.RepConv);
            Assert.Equal($"{repConvs} {(kind == "yolov7-pruned-fused" ? repConvs : 0)}", report["REPCONV"]);
            // A folded head stores its implicits as identities; the golden ones hold random values.
            if (kind == "yolov7-pruned-fused")
                Assert.Equal("True", report["IDENTITY_IMPLICITS"]);
            else if (kind is "tiny-pruned" or "yolov7-pruned-repconv")
                Assert.Equal("False", report["IDENTITY_IMPLICITS"]);
            Assert.Equal($"{(history.Steps.Count > 0 ? model.ConvLayers.Count : 0)}", report["PRUNING_CFG"]);
            Assert.Equal("True", report["FOLDED_EXACT"]);
            // The first Conv row is never pruned here, so its argument is the cfg's.
            Assert.Equal($"{model.Cfg.Layers.First(l => l.Module == "Conv").Args[0]} {model.Cfg.InputChannels}", report["YAML_CONV0"]);
        }
    }

    [Theory]
    [InlineData("yolov7-tiny-golden.pt")]
    [InlineData("yolov7-golden.pt")]
    [InlineData("bccd-yolov7-tiny.pt")]
    [InlineData("yolov7-tiny_pruned_all_layers_50_l1.pt")]
    public void A_golden_checkpoint_loaded_and_saved_here_has_the_module_structure_and_weights_YOLOv7_gave_it(string golden)
    {
        RequireTorch();
        using var folder = new TempFolder();
        var saved = folder.File("saved.pt");
        using (var loaded = ModelFile.Load(SharedData.Golden(golden)))
            ModelFile.Save(saved, loaded.Model, loaded.History, loaded.ClassNames);

        var dumps = Python3.RunWithTorch(Yolov7TorchScripts.Structure, SharedData.Golden(golden), saved)
            .Split("=====\n", StringSplitOptions.RemoveEmptyEntries).Select(d => d.Split('\n')).ToList();

        Assert.Equal(2, dumps.Count);
        var first = dumps[0].Zip(dumps[1]).FirstOrDefault(p => p.First != p.Second);
        Assert.True(first == default, $"first difference: YOLOv7 wrote '{first.First}', this tool '{first.Second}'");
        Assert.Equal(dumps[0].Length, dumps[1].Length);
    }

    [Theory]
    [InlineData(0.5, true)] // 32 → 16 filters: a multiple of 8, which make_divisible keeps
    [InlineData(0.1, false)] // 32 → 28 filters: parse_model would round the argument up to 32
    public void The_saved_yaml_rebuilds_the_pruned_widths_wherever_parse_model_can_express_them(double rate, bool exact)
    {
        using var folder = new TempFolder();
        var path = folder.File("pruned.pt");
        using var loaded = ModelFile.Load(SharedData.Golden("yolov7-tiny-golden.pt"));
        var rates = new List<LayerRate> { new(3, rate), new(5, rate) };
        var plan = Pruner.Prune(ConnectivityGraph.Build(loaded.Model), rates, new FilterImportance(Criterion.SmallestL2));
        ModelFile.Save(path, loaded.Model, plan);

        using var contents = CheckpointReader.Read(path);
        using var rebuilt = ModelBuilder.Build(YoloCfg.FromDictionary(contents.ModelYaml!, path)); // parse_model alone, no weights
        var widths = rebuilt.ConvLayers.Select(l => l.Unit.OutChannels).ToList();
        var pruned = loaded.Model.ConvLayers.Select(l => l.Unit.OutChannels).ToList();

        Assert.Equal(exact, Yolov7Yaml.Describe(loaded.Model).RebuildsExactly);
        Assert.Equal(exact, widths.SequenceEqual(pruned));
        Assert.Equal(exact ? 16 : 32, widths[3]);
    }

    [Fact]
    public void A_fused_pruned_whole_model_file_loads_back_here_with_its_weights_history_and_implicit_values()
    {
        using var folder = new TempFolder();
        var path = folder.File("fused.pt");
        using var loaded = ModelFile.Load(SharedData.Golden("yolov7-tiny-golden.pt"));
        var plan = Prune(loaded.Model, 3, 20);
        loaded.Model.Fuse();
        ModelFile.Save(path, loaded.Model, plan, loaded.ClassNames);
        using var back = ModelFile.Load(path);

        var expected = StateDict.Ordered(loaded.Model);
        var actual = StateDict.Ordered(back.Model).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(expected.Select(kv => kv.Key), actual.Keys);
        foreach (var (key, tensor) in expected)
        {
            // float16 in the file, as YOLOv7 stores it; the folded implicits travel exactly (they are not in the model).
            using var stored = key.EndsWith(".implicit", StringComparison.Ordinal) || !tensor.is_floating_point()
                ? tensor.clone() : tensor.to(torch.ScalarType.Float16).to(torch.ScalarType.Float32);
            Assert.True(stored.allclose(actual[key], rtol: 0, atol: 0), $"{key} differs after the round trip");
        }
        Assert.True(back.Model.IsFused && back.Model.Head.IsFused);
        Assert.Equal(torch.ScalarType.Float16, back.Model.StoredDtype);
        Assert.Equal(plan.Steps.Select(s => (s.Layer, s.Kept.Count)), back.History.Steps.Select(s => (s.Layer, s.Kept.Count)));
    }

    [Fact]
    public void The_state_dict_format_loads_with_real_torch_weights_only_and_its_floats_read_back_here()
    {
        RequireTorch();
        using var folder = new TempFolder();
        var path = folder.File("flat.pt");
        using (var loaded = ModelFile.Load(SharedData.Golden("yolov7-tiny-golden.pt")))
            ModelFile.Save(path, loaded.Model, PruningPlan.Empty, null, ModelFileFormat.StateDict);

        var output = Python3.RunWithTorch("""
            import sys, torch
            ck = torch.load(sys.argv[1], weights_only=True)
            y = ck['model_yaml']
            print(ck['format'], len(ck['state_dict']), float(y['depth_multiple']), float(y['width_multiple']), y['nc'])
            """, path).Trim();
        using var back = CheckpointReader.Read(path);

        Assert.Equal("prunecluster/1 344 1.0 1.0 80", output);
        Assert.Equal(1.0, back.ModelYaml!["depth_multiple"]);
    }

    [Fact]
    public void Another_projects_pickled_model_is_one_error_line_with_exit_code_2()
    {
        RequireTorch();
        using var folder = new TempFolder();
        var path = folder.File("foreign.pt");
        Python3.RunWithTorch(Yolov7TorchScripts.ForeignModel, path);

        var result = CliRunner.Run("info", "--weights", path);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("ultralytics.nn.tasks.DetectionModel", line);
        Assert.Contains("models.yolo.Model", line);
    }

    [Theory]
    [InlineData("missing", "1 missing")]
    [InlineData("extra", "1 unexpected")]
    [InlineData("shape", "but the architecture needs")]
    public void A_state_dict_that_does_not_fit_the_cfg_is_one_error_line_with_exit_code_2(string damage, string message)
    {
        using var folder = new TempFolder();
        var path = folder.File("damaged.pt");
        using (var golden = CheckpointReader.Read(SharedData.Golden("yolov7-tiny-golden.pt")))
        using (var extra = torch.zeros(3))
        using (var wrong = torch.zeros(7))
        {
            var tensors = golden.StateDict.ToList();
            if (damage == "missing")
                tensors.RemoveAt(1);
            else if (damage == "extra")
                tensors.Add(new("model.0.extra", extra));
            else
                tensors[tensors.FindIndex(kv => kv.Key == "model.0.bn.running_mean")] = new("model.0.bn.running_mean", wrong);
            CheckpointWriter.Write(path, tensors, new Dictionary<string, object?>());
        }

        var result = CliRunner.Run("info", "--weights", path, "--cfg", "yolov7-tiny");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    private static (YoloModel, PruningPlan) Loaded(string golden, Func<YoloModel, PruningPlan> change)
    {
        var loaded = ModelFile.Load(SharedData.Golden(golden));
        return (loaded.Model, change(loaded.Model));
    }

    private static Dictionary<string, string> Report(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
}
