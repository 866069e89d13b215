using System.Globalization;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Pruning;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Models;

/// <summary>
/// Checkpoint ↔ model. Loading takes the architecture from the pickled <c>model.yaml</c> (or <c>--cfg</c> for a plain
/// state_dict) and every channel count from the tensor shapes, so official, paper-pruned and our own pruned files all
/// load as they are. Saving writes YOLOv7's own checkpoint layout by default (<see cref="ModelFileFormat"/>), or a
/// state_dict that <c>torch.load(weights_only=True)</c> reads; both carry the pruning history.
/// </summary>
public static class ModelFile
{
    public const string HistoryKey = "pruning_history";

    /// <summary>The class YOLOv7 pickles its models as; another class is another project's model.</summary>
    public const string Yolov7ModelClass = "models.yolo.Model";

    /// <summary>
    /// Whole-model files of a fused IDetect store its implicit layers as identities (so YOLOv7's code can use and
    /// re-fuse them); their real values, which pruning a fused head's inputs needs, travel under this key.
    /// </summary>
    public const string FoldedImplicitsKey = "folded_implicits";

    public static LoadedModel Load(string path, string? cfgOverride = null)
    {
        using var contents = CheckpointReader.Read(path);
        if (contents.ModelClass is { } modelClass && modelClass != Yolov7ModelClass)
            throw new ModelConfigException($"{path}: the pickled model is a {modelClass}, another project's class, not YOLOv7's {Yolov7ModelClass}; pass a YOLOv7 checkpoint, or that model's state_dict with --cfg");
        var cfg = cfgOverride != null
            ? YoloCfg.Resolve(cfgOverride)
            : contents.ModelYaml != null
                ? YoloCfg.FromDictionary(contents.ModelYaml, path)
                : throw new ModelConfigException($"{path}: the file holds weights but no architecture; pass --cfg with a built-in name ({string.Join(", ", YoloCfg.BuiltInNames)}) or a cfg yaml");
        var tensors = contents.StateDict.ToDictionary(kv => kv.Key, kv => kv.Value);
        using var restored = RestoreFoldedImplicits(tensors, contents.Metadata.GetValueOrDefault(FoldedImplicitsKey), path);
        var headKey = tensors.Keys.FirstOrDefault(k => k.EndsWith(".m.0.weight", StringComparison.Ordinal));
        if (cfgOverride != null && headKey != null && tensors[headKey].shape.Length > 0)
            cfg = MatchClassCount(cfg, tensors[headKey].shape[0], path);
        var model = ModelBuilder.FromWeights(cfg, tensors, path);
        model.eval();
        model.StoredDtype = contents.StoredFloatType;
        var history = ReadHistory(contents.Metadata.GetValueOrDefault(HistoryKey), path);
        return new LoadedModel(path, model, contents.ClassNames, history);
    }

    /// <param name="bestFitness">train's best fitness so far, stored as YOLOv7's <c>best_fitness</c> (None otherwise).</param>
    public static void Save(string path, YoloModel model, PruningPlan history, IReadOnlyList<string>? classNames = null,
        ModelFileFormat format = ModelFileFormat.Yolov7, double? bestFitness = null)
    {
        var extras = new List<KeyValuePair<string, object?>>
        {
            new(HistoryKey, history.Steps.Select(s => (object?)new List<object?> { (long)s.Layer, s.ChannelsBefore, s.Kept.ToList() }).ToList()),
            new("conv_out_channels", model.ConvLayers.Select(l => l.Unit.OutChannels).ToList()),
        };
        if (format == ModelFileFormat.StateDict)
        {
            var metadata = new Dictionary<string, object?> { [CheckpointWriter.ModelYamlKey] = model.Cfg.Raw };
            foreach (var (key, value) in extras)
                metadata[key] = value;
            if (classNames != null)
                metadata[CheckpointWriter.ClassNamesKey] = classNames.ToList();
            CheckpointWriter.Write(path, StateDict.Ordered(model), metadata);
            return;
        }
        using var scope = NewDisposeScope(); // the float16 copies
        var yaml = Yolov7Yaml.Describe(model);
        // The paper's prune.py attaches its pruning_cfg (slice sizes updated) to every model it prunes.
        object? pruningCfg = history.Steps.Count > 0 || yaml.Pruned ? SeedList(model) : null;
        var names = classNames ?? Enumerable.Range(0, model.Nc).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
        var root = new Yolov7ModelObject(ScalarType.Float16).Build(model, yaml, names, pruningCfg, YamlFile(model.Cfg));
        if (model.Head.IsFused)
        {
            var implicits = StateDict.Ordered(model).Where(kv => kv.Key.EndsWith(".implicit", StringComparison.Ordinal)).ToList();
            if (implicits.Count > 0)
                extras.Add(new(FoldedImplicitsKey, implicits.ToDictionary(kv => kv.Key, kv => (object?)kv.Value.cpu().to(ScalarType.Float64).data<double>().ToList())));
        }
        // As YOLOv7's strip_optimizer leaves a checkpoint: the model alone, ready for detect/test/export or a new train.py run.
        CheckpointWriter.WriteObjects(path,
        [
            new("epoch", -1L), new("best_fitness", bestFitness), new("training_results", null), new("model", root),
            new("ema", null), new("updates", null), new("optimizer", null), new("wandb_id", null), .. extras,
        ]);
    }

    /// <summary>
    /// The layout of a checkpoint in <see cref="ModelFileFormat"/>'s terms: a pickled YOLOv7 model, this tool's
    /// state_dict, or null for anything else (a bare state_dict, another project's model).
    /// </summary>
    public static ModelFileFormat? Layout(string path)
    {
        using var contents = CheckpointReader.Read(path);
        return contents.Format switch
        {
            CheckpointFormat.PickledModel when contents.ModelClass == Yolov7ModelClass => ModelFileFormat.Yolov7,
            CheckpointFormat.PruneCluster => ModelFileFormat.StateDict,
            _ => null,
        };
    }

    /// <summary>
    /// Writes the model of <paramref name="source"/> to <paramref name="target"/> (atomically; the same path converts
    /// in place) in <paramref name="format"/>: the file's own bytes when it already has that layout, else loaded and
    /// saved again with its pruning history and class names. A YOLOv7 file holds float16 weights, so a state_dict
    /// made from one holds those values in float32.
    /// </summary>
    public static void SaveAs(string source, string target, ModelFileFormat format)
    {
        if (Layout(source) == format)
        {
            if (Path.GetFullPath(source) != Path.GetFullPath(target))
                AtomicFile.Write(target, output =>
                {
                    using var input = File.OpenRead(source);
                    input.CopyTo(output);
                });
            return;
        }
        using var loaded = Load(source);
        Save(target, loaded.Model, loaded.History, loaded.ClassNames, format);
    }

    private static List<object?> SeedList(YoloModel model) =>
        SeedPruningConfig.From(ConnectivityGraph.Build(model)).Entries.Select(e => (object?)new List<object?>
        {
            e.Consumers.Select(c => (object?)(long)c).ToList(), e.Slices.Select(c => (object?)(long)c).ToList(), e.InputSliceSizes.Cast<object?>().ToList(),
        }).ToList();

    // Model.__init__ keeps the cfg file's name when built from a file.
    private static string? YamlFile(YoloCfg cfg) =>
        cfg.Source.EndsWith(".yaml", StringComparison.Ordinal) ? Path.GetFileName(cfg.Source)
        : YoloCfg.BuiltInNames.Contains(cfg.Source) ? Path.GetFileName(cfg.Source) + ".yaml"
        : null;

    // The real implicit values of a fused head, in place of the identities the pickled model holds.
    private static DisposableList RestoreFoldedImplicits(Dictionary<string, Tensor> tensors, object? stored, string path)
    {
        var created = new DisposableList();
        if (stored is not IReadOnlyDictionary<string, object?> values)
            return created;
        foreach (var (key, value) in values)
        {
            if (!tensors.TryGetValue(key, out var current) || value is not IReadOnlyList<object?> list || list.Count != current.numel()
                || list.Any(v => v is not double))
                throw new ModelConfigException($"{path}: {FoldedImplicitsKey} entry '{key}' does not fit the model; the file is damaged, save the checkpoint again");
            var restored = tensor(list.Select(v => (float)(double)v!).ToArray()).reshape(current.shape);
            created.Add(restored);
            tensors[key] = restored;
        }
        return created;
    }

    private sealed class DisposableList : List<Tensor>, IDisposable
    {
        public void Dispose()
        {
            foreach (var t in this)
                t.Dispose();
        }
    }

    // A plain state_dict used with a built-in cfg: take nc from the head so a custom-class model loads with --cfg.
    private static YoloCfg MatchClassCount(YoloCfg cfg, long headOutputs, string path)
    {
        var perAnchor = headOutputs / cfg.AnchorsPerLevel;
        if (headOutputs % cfg.AnchorsPerLevel != 0 || perAnchor < 6)
            throw new ModelConfigException($"{path}: the head has {headOutputs} outputs, which does not fit {cfg.AnchorsPerLevel} anchors; is --cfg the right architecture?");
        return perAnchor - 5 == cfg.Nc ? cfg : cfg.WithNc((int)(perAnchor - 5));
    }

    private static PruningPlan ReadHistory(object? value, string path)
    {
        if (value is not IReadOnlyList<object?> rows)
            return PruningPlan.Empty;
        var where = $"{path}: {HistoryKey}";
        return new PruningPlan(rows.Select(r =>
        {
            if (r is not IReadOnlyList<object?> { Count: 3 } parts || parts[2] is not IReadOnlyList<object?> kept)
                throw new ModelConfigException($"{where}: a step must be [layer, channels_before, kept], got {CfgValue.Describe(r)}; the file is damaged, save the checkpoint again");
            var channels = CfgLimits.Integer(parts[1], 1, CfgLimits.MaxChannels, where, "channels_before");
            return new PruningPlan.Step(
                (int)CfgLimits.Integer(parts[0], 0, int.MaxValue, where, "a layer index"),
                channels,
                kept.Select(v => CfgLimits.Integer(v, 0, channels - 1, where, "a kept filter")).ToList());
        }).ToList());
    }
}
